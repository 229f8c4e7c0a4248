using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;

namespace Conformance.Model.Task;

/// <summary>
/// __secure_computing_strict's list: read, write, exit and the ABI's sigreturn. A compat call is
/// held to the compat list (get_compat_mode1_syscalls): i386 numbers with sigreturn on x86 — x32
/// counts as compat there too — and arm's rt_sigreturn on arm64.
/// </summary>
public static class StrictMode
{
    static readonly string[] RtSigreturn = ["read", "write", "exit", "rt_sigreturn"];
    static readonly string[] Sigreturn = ["read", "write", "exit", "sigreturn"];

    /// <summary>The name of the allowed call, or null when strict mode kills on this one.</summary>
    public static string? Allowed(Abi abi, int nr)
    {
        var (table, names) = abi switch
        {
            Abi.I386 or Abi.X32 => (Abi.I386, Sigreturn),
            _ => (abi, RtSigreturn),
        };
        foreach (var name in names)
            if (SyscallTable.TryGetNumber(table, name, out var allowed) && allowed == nr)
                return name;
        return null;
    }
}
