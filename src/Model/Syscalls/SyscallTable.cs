using System.Collections.Frozen;
using Conformance.Model.Seccomp;

namespace Conformance.Model.Syscalls;

/// <summary>
/// System call names and numbers per ABI, exactly as a seccomp filter sees them in seccomp_data.nr
/// (x32 numbers carry __X32_SYSCALL_BIT; ARM-private calls sit at 0x0f0000+). The rows are generated
/// from the kernel's own tables by tools/gen-syscall-tables.py into SyscallTable.Generated.cs.
/// Names are the kernel's (lower case) and match exactly.
/// </summary>
public static partial class SyscallTable
{
    sealed record Index(FrozenDictionary<string, int> ByName, FrozenDictionary<int, string> ByNumber);

    // A nested holder, because static initialisers in the two halves of a partial class run in an
    // unspecified order and the generated rows must exist before they are indexed.
    static class Indexes
    {
        internal static readonly FrozenDictionary<Abi, Index> ByAbi = Enum.GetValues<Abi>().ToFrozenDictionary(
            abi => abi,
            abi => new Index(
                Rows(abi).ToFrozenDictionary(r => r.Name, r => r.Nr, StringComparer.Ordinal),
                Rows(abi).ToFrozenDictionary(r => r.Nr, r => r.Name)));
    }

    public static bool TryGetNumber(Abi abi, string name, out int nr) => Of(abi).ByName.TryGetValue(name, out nr);

    /// <summary>The number of a call the caller knows exists; a missing name is a programming error.</summary>
    public static int NumberOf(Abi abi, string name) =>
        TryGetNumber(abi, name, out var nr)
            ? nr
            : throw new KeyNotFoundException($"no system call '{name}' on {AuditArch.Name(abi)} (Linux {SourceKernel} tables)");

    public static string? NameOf(Abi abi, int nr) => Of(abi).ByNumber.GetValueOrDefault(nr);

    /// <summary>Every call of the ABI, ordered by number.</summary>
    public static IReadOnlyList<(string Name, int Nr)> All(Abi abi) => Rows(abi);

    static Index Of(Abi abi) =>
        Indexes.ByAbi.TryGetValue(abi, out var index) ? index : throw new ArgumentOutOfRangeException(nameof(abi));
}
