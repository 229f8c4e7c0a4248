namespace Conformance.Model.Kernel;

/// <summary>
/// Every constant the generator read from the kernel's UAPI headers (KernelConstantTable.Generated.cs,
/// tools/gen-kernel-constants.py), looked up by its full C name.
/// </summary>
public static partial class KernelConstantTable
{
    /// <summary>Nested so it is built on first use, after Rows: initialisers in two files of a partial class run in no promised order.</summary>
    static class Index
    {
        internal static readonly Dictionary<string, ConstantRow> ByName = Rows.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    public static IReadOnlyList<ConstantRow> All => Rows;

    /// <summary>The row for an exact, case-sensitive C name (PR_GET_NO_NEW_PRIVS).</summary>
    public static bool TryGet(string name, out ConstantRow row) => Index.ByName.TryGetValue(name, out row!);

    public static ConstantRow Get(string name) =>
        TryGet(name, out var row) ? row : throw new KeyNotFoundException($"no kernel constant {name}");

    /// <summary>The rows of one family in value order (the order of the generated table).</summary>
    public static IEnumerable<ConstantRow> Family(KernelConstantFamily family) => Rows.Where(r => r.Family == family);
}
