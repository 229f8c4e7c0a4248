using System.Diagnostics;
using Conformance.Catalogue.Run;

namespace Conformance.Benchmarks.Selftest;

/// <summary>
/// A run sink that only keeps time: when the probe finished (OnMachine), when each result arrived,
/// and how long the agent itself measured each case. Enough to split a catalogue run into boot,
/// feature probe, the cases' own time in the guest, and everything around them.
/// </summary>
public sealed class CatalogueTiming(Func<TimeSpan?> qemuCpuTime) : IRunSink
{
    /// <summary>The running QEMU's CPU time when the last result arrived (see <see cref="TakeQemuCpuTime"/> for restarts).</summary>
    public TimeSpan? QemuCpuTime { get; private set; }

    public long? ProbedAt { get; private set; }
    public long? LastResultAt { get; private set; }
    public int Results { get; private set; }

    /// <summary>The sum of the agent's per-case elapsed times (fork of the case root to reaping it).</summary>
    public TimeSpan CaseTimeInGuest { get; private set; }

    public RunSummary? Summary { get; private set; }

    /// <summary>The slowest cases by the agent's own clock, for the "where does the time go" question.</summary>
    public IReadOnlyList<(string Id, TimeSpan Elapsed)> Slowest(int count) =>
        _arrivals.OrderByDescending(e => e.Elapsed).Select(e => (e.Id, e.Elapsed)).Take(count).ToList();

    /// <summary>Every result in arrival order: its id, the timestamp it arrived at, and the agent's elapsed time for it.</summary>
    public IReadOnlyList<(string Id, long ArrivedAt, TimeSpan Elapsed)> Arrivals => _arrivals;

    readonly List<(string Id, long ArrivedAt, TimeSpan Elapsed)> _arrivals = [];

    public void OnMachine(MachineReport machine) => ProbedAt ??= Stopwatch.GetTimestamp();

    public void OnCase(CaseReport report)
    {
        LastResultAt = Stopwatch.GetTimestamp();
        QemuCpuTime = qemuCpuTime() ?? QemuCpuTime;
        Results++;
        CaseTimeInGuest += report.Elapsed;
        _arrivals.Add((report.Id, LastResultAt.Value, report.Elapsed));
    }

    /// <summary>Hands over the CPU time of the machine that is about to be replaced, and starts counting afresh.</summary>
    public TimeSpan TakeQemuCpuTime()
    {
        var cpu = QemuCpuTime ?? TimeSpan.Zero;
        QemuCpuTime = null;
        return cpu;
    }

    public void OnConsole(string text) { }

    public void OnFinished(RunSummary summary) => Summary = summary;
}
