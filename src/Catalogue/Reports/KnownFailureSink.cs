using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Run;

namespace Conformance.Catalogue.Reports;

/// <summary>
/// Applies a known-failures list to the verdicts on their way to the reports: a listed case that
/// failed or errored becomes Xfail, one that passed Xpass (a skip stays a skip: the case said
/// nothing about the kernel). Entries are matched against the machine's arch and release, so
/// cases reported before the machine did (a kernel that never booted) keep their status: the list
/// records case-level failures, not a kernel that cannot run at all. It recounts the summary the
/// runner hands over, since only it knows which failures were expected.
/// </summary>
public sealed class KnownFailureSink(IRunSink inner, KnownFailures known) : IRunSink
{
    readonly Dictionary<CaseStatus, int> _counts = Enum.GetValues<CaseStatus>().ToDictionary(s => s, _ => 0);
    MachineReport? _machine;

    /// <summary>The recounted summary once the run finished.</summary>
    public RunSummary? Summary { get; private set; }

    public void OnStart(int total) => inner.OnStart(total);

    public void OnMachine(MachineReport machine)
    {
        _machine = machine;
        inner.OnMachine(machine);
    }

    public void OnCase(CaseReport report)
    {
        var applied = report with { Verdict = Apply(report.Verdict) };
        _counts[applied.Verdict.Status]++;
        inner.OnCase(applied);
    }

    public void OnConsole(string text) => inner.OnConsole(text);

    public void OnFinished(RunSummary summary)
    {
        Summary = new RunSummary(_counts[CaseStatus.Pass], _counts[CaseStatus.Fail], _counts[CaseStatus.Skip], _counts[CaseStatus.Error], summary.Elapsed)
        {
            Xfail = _counts[CaseStatus.Xfail],
            Xpass = _counts[CaseStatus.Xpass],
        };
        inner.OnFinished(Summary);
    }

    CaseVerdict Apply(CaseVerdict verdict)
    {
        if (_machine is null || known.Find(verdict.Id, _machine.Arch, _machine.Release) is not { } entry)
            return verdict;
        var status = verdict.Status switch
        {
            CaseStatus.Fail or CaseStatus.Error => CaseStatus.Xfail,
            CaseStatus.Pass => CaseStatus.Xpass,
            _ => verdict.Status,
        };
        return status == verdict.Status
            ? verdict
            : verdict with { Status = status, Known = new KnownFailureNote(entry.Reason, entry.Where, verdict.Status) };
    }
}
