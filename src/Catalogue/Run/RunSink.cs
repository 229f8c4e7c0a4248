using Conformance.Catalogue.Cases;
using Conformance.Executor.Features;
using Conformance.Catalogue.Judge;
using Conformance.Model.Seccomp;

namespace Conformance.Catalogue.Run;

/// <summary>The machine a catalogue ran on, as the reports describe it.</summary>
public sealed record MachineReport(
    string Name, string Backend, string Arch, string Release, string Version, KernelFeatures Features, KernelProfile Profile,
    TimeSpan? BootTime, IReadOnlyDictionary<string, string> KernelConfig);

/// <summary>One case's outcome with what the reports need besides the verdict.</summary>
public sealed record CaseReport(CaseDefinition? Case, string Id, string Description, string File, CaseVerdict Verdict, TimeSpan Elapsed, string? ConsoleExcerpt);

public sealed record RunSummary(int Pass, int Fail, int Skip, int Error, TimeSpan Elapsed)
{
    /// <summary>Known failures that failed or errored as listed (Reports/KnownFailureSink counts them; the runner never does).</summary>
    public int Xfail { get; init; }

    /// <summary>Known failures that passed: the list is stale, which counts as a failure.</summary>
    public int Xpass { get; init; }

    public int Total => Pass + Fail + Skip + Error + Xfail + Xpass;

    /// <summary>Whether the run failed: a case failed or errored outside the known list, or a listed case passed.</summary>
    public bool Failed => Fail + Error + Xpass > 0;

    public override string ToString() =>
        $"{Pass} passed, {Fail} failed, {Skip} skipped, {Error} errors"
        + (Xfail + Xpass > 0 ? $", {Xfail} xfail, {Xpass} xpass" : "")
        + $" ({Total} cases, {Elapsed.TotalSeconds:0.0} s)";
}

/// <summary>
/// Where a run's results go as they arrive (files, console, tests). Calls come from one run at a
/// time: OnStart once (once the first machine is ready, since detection failures add to the count; OnConsole may come
/// before it), then OnMachine (unless the machine never booted) and one OnCase per case in
/// any order with OnConsole between them, then OnFinished (unless the run was cancelled or the
/// harness itself failed, so every file a sink writes must be valid after each call).
/// </summary>
public interface IRunSink
{
    /// <summary>How many cases the run will report, before the first one: a KTAP plan line needs it up front.</summary>
    void OnStart(int total) { }

    void OnMachine(MachineReport machine);
    void OnCase(CaseReport report);
    void OnConsole(string text);
    void OnFinished(RunSummary summary);
}
