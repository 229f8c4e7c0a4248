namespace Conformance.Fuzzing;

/// <summary>Counters a run reports live and in fuzz.json. Updated by one campaign, read by the progress line.</summary>
public sealed class FuzzStats
{
    long _verdicts, _stacks, _scenarios, _discrepancies, _unconfirmed;

    /// <summary>System-call inputs whose verdict was compared (installs not counted).</summary>
    public long Verdicts => Interlocked.Read(ref _verdicts);
    public long Stacks => Interlocked.Read(ref _stacks);
    public long Scenarios => Interlocked.Read(ref _scenarios);
    /// <summary>Departures seen before confirmation (a finding, a duplicate, or unconfirmed).</summary>
    public long Discrepancies => Interlocked.Read(ref _discrepancies);
    /// <summary>Departures a rerun did not show again: reported, never written as findings.</summary>
    public long Unconfirmed => Interlocked.Read(ref _unconfirmed);

    public int Findings { get; set; }
    public int Duplicates { get; set; }
    public int CorpusSize { get; set; }
    public int MachineRestarts { get; set; }
    /// <summary>How the run treated net.core.bpf_jit_enable.</summary>
    public string Jit { get; set; } = "";
    /// <summary>Batches ran with the JIT on and off in turn (in a guest that lets it be set).</summary>
    public bool JitToggled { get; set; }

    public void AddVerdicts(long n) => Interlocked.Add(ref _verdicts, n);
    public void AddStacks(long n) => Interlocked.Add(ref _stacks, n);
    public void AddScenario() => Interlocked.Increment(ref _scenarios);
    public void AddDiscrepancy() => Interlocked.Increment(ref _discrepancies);
    public void AddUnconfirmed() => Interlocked.Increment(ref _unconfirmed);
}
