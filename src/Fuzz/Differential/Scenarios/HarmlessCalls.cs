using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;

namespace Conformance.Fuzzing;

/// <summary>
/// The only system calls a scenario makes with generated arguments: calls that read a number about
/// the caller and ignore their arguments (getpid, getppid, gettid, the uid and gid getters), and
/// numbers no ABI implements (1000..4095, which fail with ENOSYS). Whatever a filter or a tracer
/// does to them, nothing outside the calling task changes. Every other system call a scenario makes
/// is one a step needs (prctl, seccomp, ioctl on a listener, ptrace of its own child, ...), with the
/// arguments the step's kind writes. Filters only ever act on these numbers, so the agent's own
/// calls (sched_yield, wait4, exit, rt_sigreturn, ...) always pass.
/// </summary>
public static class HarmlessCalls
{
    /// <summary>The named calls and what each returns when seccomp lets it run (the step's `allowed:`).</summary>
    public static readonly IReadOnlyList<(string Name, string Allowed)> Named =
    [
        ("getpid", "{ret: pid}"),
        ("getppid", "{ret: ppid}"),
        ("gettid", "{ret: tid}"),
        ("getuid", "{ret: \">=0\"}"),
        ("geteuid", "{ret: \">=0\"}"),
        ("getgid", "{ret: \">=0\"}"),
        ("getegid", "{ret: \">=0\"}"),
    ];

    /// <summary>Numbers no ABI implements: far above every table (x86_64 and arm64 end below 500) and below ARM's private calls.</summary>
    public const int UnimplementedLow = 1000, UnimplementedHigh = 4095;

    public const string EnosysAllowed = "{errno: ENOSYS}";

    public static bool IsUnimplemented(int nr) => nr is >= UnimplementedLow and <= UnimplementedHigh;

    /// <summary>The number of a named harmless call in an ABI.</summary>
    public static int Number(Abi abi, string name) => SyscallTable.NumberOf(abi, name);

    /// <summary>What the call returns when it runs: its own result, or ENOSYS for an unimplemented number.</summary>
    public static string AllowedFor(string? name) =>
        name is null ? EnosysAllowed : Named.First(n => n.Name == name).Allowed;

    /// <summary>The harmless call with this number in this ABI, if it is one.</summary>
    public static string? NameOf(Abi abi, int nr)
    {
        foreach (var (name, _) in Named)
            if (SyscallTable.TryGetNumber(abi, name, out var n) && n == nr)
                return name;
        return null;
    }

    /// <summary>The bpf_asm operand for a number: the ABI-qualified name of a named call (the same on every ABI's assembler), else the number.</summary>
    public static string Operand(Abi abi, int nr) =>
        NameOf(abi, nr) is { } name ? $"#{AuditArch.Name(abi)}.{name}" : $"#{nr}";
}
