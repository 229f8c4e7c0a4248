using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>
/// What the verdict fuzzer may call on one architecture. Every number in <see cref="HarmlessNumbers"/>
/// is safe whatever its arguments: numbers no kernel implements on this arch (the gaps the unified
/// numbering left, which stay empty) and calls that only read the caller's identity. So fuzzing the
/// host kernel never runs a real call with random arguments.
/// </summary>
public sealed record FuzzArch(string Name, Abi Abi, IReadOnlyList<int> HarmlessNumbers, IReadOnlyList<int> OwnCalls, IReadOnlyList<ulong> SlotIps)
{
    public uint AuditArch => Model.Seccomp.AuditArch.Of(Abi);

    public static FuzzArch For(string arch) => arch switch
    {
        "x86_64" => X86_64,
        "aarch64" => Aarch64,
        _ => throw new ArgumentException($"the verdict fuzzer runs on x86_64 and aarch64, not {arch}"),
    };

    // x86_64: 387..423 lie between the last x86-only number and the unified 424 (335 and 336 are
    // uretprobe and uprobe since 6.11/6.16, so the low end of the gap is not used); 0x40000000 is
    // the x32 bit, whose table has the same gap; the large ones are past every table.
    static readonly FuzzArch X86_64 = new("x86_64", Abi.X86_64,
        [400, 401, 402, 411, 423, 0x40000000 | 400, 0x40000000 | 423, 1000, 0x3fffffff, 0x7fffffff,
         .. Real(Abi.X86_64)],
        Own(Abi.X86_64),
        // Call sites: low, just under 4 GiB, just over it, and high in the 47-bit space.
        [0x10000 + 0x802, 0xffff0000 + 0x7fe, 0x100000000 + 0x12, 0x7ffe00000000 + 0x100]);

    // The generic table jumps from 294 (kexec_file_load) to 403, and 403..423 are 32-bit only.
    static readonly FuzzArch Aarch64 = new("aarch64", Abi.Aarch64,
        [300, 333, 402, 405, 423, 1000, 0x3fffffff, 0x7fffffff, .. Real(Abi.Aarch64)],
        Own(Abi.Aarch64),
        [0x10000 + 0x804, 0xffff0000 + 0x7fc, 0x100000000 + 0x14, 0xfffe00000000 + 0x100]);

    /// <summary>Calls whose result is the caller's identity, the same with any arguments and in any process of the case (getppid is not: the worker's parent is the case root).</summary>
    static IEnumerable<int> Real(Abi abi) =>
        new[] { "getuid", "geteuid", "getgid", "getegid" }.Select(n => SyscallTable.NumberOf(abi, n));

    /// <summary>What a fuzz thread calls itself after its filters are attached (docs/agent-protocol.md, FUZZ), and exit_group, with which a process that installed a stack itself (a replayed case, the benchmark's loop) ends.</summary>
    static int[] Own(Abi abi) => [.. new[] { "seccomp", "prctl", "rt_sigreturn", "exit", "exit_group" }.Select(n => SyscallTable.NumberOf(abi, n))];
}
