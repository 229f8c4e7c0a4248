namespace Conformance.Fuzzing.Verdicts;

/// <summary>
/// What a FUZZ step found before its first stack (its FUZZ_SETUP record): the instruction pointer of
/// each call site and whether it could be placed, and what each pool number returns when allowed.
/// </summary>
public sealed record VerdictSetup(IReadOnlyList<ulong> Ips, IReadOnlyList<bool> Mapped, IReadOnlyDictionary<int, long> References)
{
    public long ReferenceFor(int nr) => References[nr];

    /// <summary>The same call sites, mappings and reference values (what a prediction made for one setup needs to hold for another).</summary>
    public bool SameAs(VerdictSetup other) =>
        Ips.SequenceEqual(other.Ips) && Mapped.SequenceEqual(other.Mapped) && References.Count == other.References.Count
        && References.All(kv => other.References.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
