using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing;

/// <summary>How a fuzz run is bounded and where it writes. The defaults are `conformance fuzz`'s.</summary>
public sealed record FuzzOptions
{
    public FuzzMode Mode { get; init; } = FuzzMode.All;
    /// <summary>Stop after this long (the batch under way finishes first).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Stop after this many iterations of this shard, if sooner (tests use it for a fixed amount of work).</summary>
    public int? Iterations { get; init; }
    public ulong Seed { get; init; } = 1;
    public int ShardIndex { get; init; }
    public int ShardCount { get; init; } = 1;
    public required string OutDir { get; init; }
    /// <summary>The corpus folder, shared by shards and runs; default OutDir/corpus.</summary>
    public string? CorpusDir { get; init; }
    public int StacksPerBatch { get; init; } = 16;
    public uint InputsPerStack { get; init; } = 256;
    public int InvalidPercent { get; init; } = 10;
    /// <summary>Machines that may fail (panic, hang) before the run gives up.</summary>
    public int MaxRestarts { get; init; } = 50;
    /// <summary>The model's profile instead of the one the kernel was found to be (tests: a deliberately broken profile).</summary>
    public KernelProfile? ProfileOverride { get; init; }
    /// <summary>The most console text kept in console.log; older text is dropped first.</summary>
    public long ConsoleLogLimit { get; init; } = 16 << 20;
}
