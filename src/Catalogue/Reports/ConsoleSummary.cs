using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Run;

namespace Conformance.Catalogue.Reports;

/// <summary>Live progress on the terminal: one line per failing or erroring case, a counter for the rest.</summary>
public sealed class ConsoleSummary(TextWriter output, string label) : IRunSink
{
    readonly object _lock = new();
    int _done;

    public void OnMachine(MachineReport m)
    {
        lock (_lock)
            output.WriteLine($"[{label}] {m.Name}: profile {m.Profile.Name}, mode 2 {(m.Features.Mode2 ? "supported" : "unsupported")}"
                + (m.BootTime is { } b ? $", agent ready after {b.TotalSeconds:0.0} s" : ""));
    }

    public void OnCase(CaseReport r)
    {
        lock (_lock)
        {
            _done++;
            if (r.Verdict.Status is CaseStatus.Fail or CaseStatus.Error)
                output.WriteLine($"[{label}] {ResultsJson.Status(r.Verdict.Status).ToUpperInvariant()} {r.Id}: {r.Verdict.Reason}");
            else if (_done % 25 == 0)
                output.WriteLine($"[{label}] {_done} cases done");
        }
    }

    public void OnConsole(string text) { }

    public void OnFinished(RunSummary s)
    {
        lock (_lock)
            output.WriteLine($"[{label}] {s}");
    }
}
