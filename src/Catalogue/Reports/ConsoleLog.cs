using Conformance.Catalogue.Run;

namespace Conformance.Catalogue.Reports;

/// <summary>console.log: the machine's console (kernel messages), appended as the runner hands it over.</summary>
public sealed class ConsoleLog(string path) : IRunSink
{
    public void OnMachine(MachineReport machine) =>
        File.AppendAllText(path, $"=== {machine.Name} ({machine.Release}) ===\n");

    public void OnCase(CaseReport report) { }

    public void OnConsole(string text)
    {
        if (text.Length > 0)
            File.AppendAllText(path, text.EndsWith('\n') ? text : text + "\n");
    }

    public void OnFinished(RunSummary summary) { }
}
