namespace Conformance.Fuzzing;

/// <summary>
/// splitmix64: the same draws for the same seed on every runtime and platform (System.Random's
/// seeded sequence is only promised within one .NET version), so a seed names a scenario for good.
/// </summary>
public sealed class ScenarioRandom(ulong seed)
{
    readonly Machines.Protocol.SplitMix64 _g = new(seed);

    public ulong NextU64() => _g.Next();

    /// <summary>0 ≤ result &lt; n.</summary>
    public int Next(int n) => n <= 0 ? throw new ArgumentOutOfRangeException(nameof(n)) : (int)((NextU64() >> 33) % (ulong)n);

    /// <summary>lo ≤ result ≤ hi.</summary>
    public int Between(int lo, int hi) => lo + Next(hi - lo + 1);

    /// <summary>True with probability percent/100.</summary>
    public bool Chance(int percent) => Next(100) < percent;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>One of the items, each with its weight.</summary>
    public T Weighted<T>(params (T Item, int Weight)[] items)
    {
        int total = items.Sum(i => Math.Max(0, i.Weight));
        int x = Next(total);
        foreach (var (item, weight) in items)
        {
            if (weight <= 0) continue;
            if (x < weight) return item;
            x -= weight;
        }
        throw new InvalidOperationException("no item has a weight");
    }

    public List<T> Shuffle<T>(IEnumerable<T> items)
    {
        var list = items.ToList();
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
        return list;
    }
}
