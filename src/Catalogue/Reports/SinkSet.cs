using Conformance.Catalogue.Run;

namespace Conformance.Catalogue.Reports;

/// <summary>Several sinks as one, called in order; an exception from one (a full disk) ends the run, as it would alone.</summary>
public sealed class SinkSet(params IRunSink[] sinks) : IRunSink
{
    public void OnStart(int total) { foreach (var s in sinks) s.OnStart(total); }
    public void OnMachine(MachineReport machine) { foreach (var s in sinks) s.OnMachine(machine); }
    public void OnCase(CaseReport report) { foreach (var s in sinks) s.OnCase(report); }
    public void OnConsole(string text) { foreach (var s in sinks) s.OnConsole(text); }
    public void OnFinished(RunSummary summary) { foreach (var s in sinks) s.OnFinished(summary); }
}
