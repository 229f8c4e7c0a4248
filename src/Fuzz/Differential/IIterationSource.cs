namespace Conformance.Fuzzing;

/// <summary>One kind of fuzz work: an iteration from a seed, its findings recorded as it goes.</summary>
public interface IIterationSource
{
    Task IterationAsync(ulong seed, CancellationToken cancellationToken);
}
