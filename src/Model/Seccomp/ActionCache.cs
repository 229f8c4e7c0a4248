using Conformance.Model.Bpf;

namespace Conformance.Model.Seccomp;

/// <summary>
/// The 5.11+ per-syscall constant-ALLOW cache: seccomp_is_const_allow, a second evaluator inside
/// the kernel that runs each filter's original program with only nr and arch known. A syscall whose
/// bit survives every filter is allowed without running any filter. It must never change a
/// verdict, so disagreeing with the interpreter is a kernel bug worth hunting.
/// </summary>
public static class ActionCache
{
    /// <summary>
    /// True when the program is known to return exactly SECCOMP_RET_ALLOW for (arch, nr) whatever
    /// the arguments and instruction pointer. Mirrors the kernel's emulator, including what it gives
    /// up on (any other load, any ALU but AND K, X operands, RET A).
    /// </summary>
    public static bool IsConstAllow(ReadOnlySpan<Instruction> program, uint arch, int nr, KernelProfile profile)
    {
        if (profile.Bypasses(arch, nr))
            return true;
        uint reg = 0;
        for (int pc = 0; pc < program.Length; pc++)
        {
            var insn = program[pc];
            switch (insn.Code)
            {
                case Op.LD | Op.W | Op.ABS:
                    if (insn.K == 0) reg = (uint)nr;
                    else if (insn.K == 4) reg = arch;
                    else return false;
                    break;
                case Op.RET | Op.K:
                    return insn.K == SeccompRet.Allow;
                case Op.JMP | Op.JA:
                    pc += (int)insn.K;
                    break;
                case Op.JMP | Op.JEQ | Op.K:
                    pc += reg == insn.K ? insn.Jt : insn.Jf;
                    break;
                case Op.JMP | Op.JGE | Op.K:
                    pc += reg >= insn.K ? insn.Jt : insn.Jf;
                    break;
                case Op.JMP | Op.JGT | Op.K:
                    pc += reg > insn.K ? insn.Jt : insn.Jf;
                    break;
                case Op.JMP | Op.JSET | Op.K:
                    pc += (reg & insn.K) != 0 ? insn.Jt : insn.Jf;
                    break;
                case Op.ALU | Op.AND | Op.K:
                    reg &= insn.K;
                    break;
                default:
                    return false;
            }
        }
        return false; // ran off the end: the kernel WARNs; the checker makes it impossible
    }

    /// <summary>
    /// The bitmap the kernel would hold for a chain on one arch: bit nr set when every filter is
    /// constant-ALLOW for it. Compare with /proc/PID/seccomp_cache on a SECCOMP_CACHE_DEBUG kernel.
    /// </summary>
    public static bool[] Bitmap(IEnumerable<Instruction[]> chain, uint arch, int syscallCount, KernelProfile profile)
    {
        var bits = new bool[syscallCount];
        Array.Fill(bits, true);
        foreach (var program in chain)
            for (int nr = 0; nr < syscallCount; nr++)
                if (bits[nr] && !IsConstAllow(program, arch, nr, profile))
                    bits[nr] = false;
        return bits;
    }
}
