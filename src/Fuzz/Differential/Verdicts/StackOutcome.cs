using Conformance.Machines.Protocol;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>
/// What the kernel did with one stack run: its install results, the digest of its input records
/// and, with DETAIL, the records. Null <see cref="Digest"/>: the stack did not finish (the case
/// timed out or the machine faulted).
/// </summary>
public sealed record StackOutcome(StackRun Run, IReadOnlyList<int> Installs, ulong? Digest, IReadOnlyList<FuzzInputRecord> Records,
    uint ThreadsDied, uint ProcessesDied);
