namespace Conformance.Fuzzing.Verdicts;

/// <summary>Verdict fuzzing as a campaign's iteration source.</summary>
public sealed class VerdictIterations(VerdictFuzzer fuzzer) : IIterationSource
{
    public Task IterationAsync(ulong seed, CancellationToken cancellationToken) => fuzzer.IterationAsync(seed, cancellationToken);
}
