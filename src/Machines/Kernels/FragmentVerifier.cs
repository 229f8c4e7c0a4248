namespace Conformance.Machines.Kernels;

/// <summary>An option a fragment asked for that the final .config does not have.</summary>
public sealed record DroppedOption(string Symbol, string Requested, string? Actual, string RequestedBy)
{
    public override string ToString() =>
        $"CONFIG_{Symbol}: {RequestedBy} asks for {Requested}, the merged config has {Actual ?? "nothing (dependencies not met)"}";
}

/// <summary>
/// Kconfig silently drops or changes options whose dependencies fail, so a merged config must be
/// checked against every fragment line; otherwise "a kernel without X" may quietly have X.
/// </summary>
public static class FragmentVerifier
{
    /// <summary>
    /// Compares the fragments (applied in order, later lines win) with the resulting .config and
    /// returns every option that did not come out as asked.
    /// </summary>
    public static IReadOnlyList<DroppedOption> FindDropped(IReadOnlyList<KernelConfig> fragments, KernelConfig result)
    {
        var wanted = new Dictionary<string, (string Value, string Source)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var fragment in fragments)
            foreach (var symbol in fragment.Symbols)
            {
                if (!wanted.ContainsKey(symbol))
                    order.Add(symbol);
                wanted[symbol] = (fragment[symbol]!, fragment.Source);
            }

        var dropped = new List<DroppedOption>();
        foreach (var symbol in order)
        {
            var (value, source) = wanted[symbol];
            var actual = result[symbol];
            if (!Satisfies(value, actual))
                dropped.Add(new DroppedOption(symbol, value, actual, source));
        }
        return dropped;
    }

    /// <summary>"n" is also met by an option that is absent (Kconfig omits options it cannot offer).</summary>
    static bool Satisfies(string requested, string? actual) =>
        requested == "n" ? actual is null or "n" : actual == requested;
}
