namespace Conformance.Fuzzing;

/// <summary>What a fuzz run did (written as fuzz.json). <see cref="StoppedBecause"/>: time, iterations, interrupted, or aborted with the reason.</summary>
public sealed record FuzzSummary(
    string Kernel, string Arch, string Profile, string Mode, ulong Seed, string Shard, double Seconds,
    long Verdicts, long Stacks, long Scenarios, int Findings, int Duplicates, long Unconfirmed, int CorpusSize, int MachineRestarts,
    double VerdictsPerSecond, double ScenariosPerSecond, string Jit, bool JitToggled, string StoppedBecause, string FindingsDir);
