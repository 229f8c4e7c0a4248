using Conformance.Machines.Protocol;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>One stack and the inputs to run under it: drawn in the guest from a seed, or listed (for reruns and minimizing).</summary>
public sealed record StackRun(FilterStack Stack, ulong Seed, uint Count, IReadOnlyList<FuzzInput>? Inputs = null)
{
    public static StackRun Seeded(FilterStack stack, ulong seed, uint count) => new(stack, seed, count);

    /// <summary>Listed inputs are numbered from 0 in the order given, as the guest numbers them.</summary>
    public static StackRun Listed(FilterStack stack, IReadOnlyList<FuzzInput> inputs) =>
        new(stack, 0, (uint)inputs.Count, [.. inputs.Select((x, i) => x with { Index = (uint)i })]);

    public int InputCount => Inputs?.Count ?? (int)Count;
}
