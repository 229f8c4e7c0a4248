namespace Conformance.Fuzzing;

/// <summary>
/// The fuzzer's only source of randomness: splitmix64 (the generator FUZZ's guest-side inputs use too), so a run is reproduced from its seed on any
/// machine and runtime (System.Random's sequence is not a documented contract).
/// </summary>
public sealed class FuzzRandom(ulong seed)
{
    readonly Machines.Protocol.SplitMix64 _g = new(seed);

    public ulong NextU64() => _g.Next();

    /// <summary>0..n-1 (n &gt; 0).</summary>
    public int Pick(int n) => (int)_g.Pick((uint)n);

    public T Pick<T>(IReadOnlyList<T> items) => items[Pick(items.Count)];

    /// <summary>True with probability percent/100.</summary>
    public bool Chance(int percent) => Pick(100) < percent;

    /// <summary>A new generator whose stream is independent of this one's future draws.</summary>
    public FuzzRandom Fork() => new(NextU64());

    /// <summary>The seed of item <paramref name="index"/> of stream <paramref name="seed"/>: shards and iterations derive theirs without sharing state.</summary>
    public static ulong Derive(ulong seed, ulong index) => new FuzzRandom(seed ^ (index * 0xd1b54a32d192ed03UL)).NextU64();
}
