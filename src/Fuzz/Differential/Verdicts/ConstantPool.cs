using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>
/// The 32-bit constants a generated filter compares and computes with, and the 64-bit argument
/// values inputs are drawn from: the inputs' own numbers, arch tokens and call sites, the
/// boundaries where comparisons and widths break, and every action with interesting data.
/// </summary>
public sealed class ConstantPool
{
    public static readonly uint[] Boundaries = [0, 1, 2, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 4095, 4096];

    public static readonly ulong[] ArgBoundaries =
    [
        0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0xffffffff00000000, 0x7fffffffffffffff,
        0x8000000000000000, 0xffffffffffffffff, 4095, 4096,
    ];

    static readonly uint[] Arches = [0xc000003e, 0x40000003, 0xc00000b7, 0x40000028, 0x4000003e];

    /// <summary>Error numbers around MAX_ERRNO and the ones a reader recognises.</summary>
    static readonly uint[] ErrnoData = [0, 1, 13, 38, 4094, 4095, 4096, 0x7fff, 0xffff];

    public ConstantPool(FuzzArch arch)
    {
        Arch = arch;
        var words = new List<uint>(Boundaries);
        words.AddRange(Arches);
        words.AddRange(arch.HarmlessNumbers.Select(n => (uint)n));
        foreach (var ip in arch.SlotIps)
        {
            words.Add((uint)ip);
            words.Add((uint)(ip >> 32));
        }
        Words = [.. words.Distinct()];
        Actions =
        [
            SeccompRet.Allow, SeccompRet.Allow, SeccompRet.Allow | 1, SeccompRet.Log, SeccompRet.Log | 0x1234,
            .. ErrnoData.Select(d => SeccompRet.Errno | d), .. ErrnoData.Take(5).Select(d => SeccompRet.Trap | d),
            SeccompRet.Trace, SeccompRet.Trace | 7, SeccompRet.UserNotif, SeccompRet.KillThread, SeccompRet.KillThread | 1,
            SeccompRet.KillProcess, 0x7ff80000 /* between TRACE and LOG */, 0x00010000, 0x7ffd0000, 0xffff0000,
        ];
    }

    public FuzzArch Arch { get; }

    /// <summary>Words for K operands: compared against loaded fields and used in ALU.</summary>
    public IReadOnlyList<uint> Words { get; }

    /// <summary>RET K values: every action (and some no kernel knows) with data.</summary>
    public IReadOnlyList<uint> Actions { get; }
}
