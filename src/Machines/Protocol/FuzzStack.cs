namespace Conformance.Machines.Protocol;

/// <summary>
/// One stack of a FUZZ step: the program's filters a fuzz thread installs, in order, and its
/// inputs: seeded (the agent derives <see cref="Count"/> inputs from <see cref="Seed"/>, as
/// <see cref="FuzzInputs"/> does) or explicit.
/// </summary>
public sealed class FuzzStack
{
    public const int MaxFilters = 8;
    public const uint MaxSeededInputs = 65536;
    public const int MaxExplicitInputs = 4096;

    FuzzStack(IReadOnlyList<int> filters, ulong seed, uint count, IReadOnlyList<FuzzInput>? inputs)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Count is < 1 or > MaxFilters)
            throw new ArgumentException($"a FUZZ stack has 1..{MaxFilters} filters, got {filters.Count}", nameof(filters));
        foreach (var f in filters)
            if (f is < 0 or > ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(filters), f, "filter indices are 0..65535");
        Filters = [.. filters];
        Seed = seed;
        Count = count;
        Inputs = inputs;
    }

    /// <summary>The program's filter indices, installed in this order.</summary>
    public IReadOnlyList<int> Filters { get; }

    public ulong Seed { get; }

    /// <summary>How many inputs the stack runs.</summary>
    public uint Count { get; }

    /// <summary>The explicit inputs (their Index is their position), or null for a seeded stack.</summary>
    public IReadOnlyList<FuzzInput>? Inputs { get; }

    public bool IsSeeded => Inputs is null;

    public static FuzzStack Seeded(IReadOnlyList<int> filters, ulong seed, uint count) =>
        count is >= 1 and <= MaxSeededInputs ? new(filters, seed, count, null)
        : throw new ArgumentOutOfRangeException(nameof(count), count, $"a seeded stack has 1..{MaxSeededInputs} inputs");

    /// <summary>A stack of these inputs in order; each input's Index is ignored and becomes its position.</summary>
    public static FuzzStack Explicit(IReadOnlyList<int> filters, IReadOnlyList<FuzzInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count is < 1 or > MaxExplicitInputs)
            throw new ArgumentException($"an explicit stack has 1..{MaxExplicitInputs} inputs, got {inputs.Count}", nameof(inputs));
        return new(filters, 0, (uint)inputs.Count, [.. inputs.Select((x, i) => x with { Index = (uint)i })]);
    }
}
