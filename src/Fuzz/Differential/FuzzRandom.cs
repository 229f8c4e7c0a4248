namespace Conformance.Fuzzing;

/// <summary>
/// The fuzzer's only source of randomness: splitmix64, so a run is reproduced from its seed on any
/// machine and runtime (System.Random's sequence is not a documented contract).
/// </summary>
public sealed class FuzzRandom(ulong seed)
{
    ulong _state = seed;

    public ulong NextU64()
    {
        ulong z = _state += 0x9e3779b97f4a7c15UL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }

    /// <summary>0..n-1 (n &gt; 0).</summary>
    public int Pick(int n) => (int)((uint)(NextU64() >> 32) % (uint)n);

    public T Pick<T>(IReadOnlyList<T> items) => items[Pick(items.Count)];

    /// <summary>True with probability percent/100.</summary>
    public bool Chance(int percent) => Pick(100) < percent;

    /// <summary>A new generator whose stream is independent of this one's future draws.</summary>
    public FuzzRandom Fork() => new(NextU64());

    /// <summary>The seed of item <paramref name="index"/> of stream <paramref name="seed"/>: shards and iterations derive theirs without sharing state.</summary>
    public static ulong Derive(ulong seed, ulong index) => new FuzzRandom(seed ^ (index * 0xd1b54a32d192ed03UL)).NextU64();
}
