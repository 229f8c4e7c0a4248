namespace Conformance.Model.Bpf;

/// <summary>
/// How many eBPF instructions net/core/filter.c bpf_convert_filter emits for a classic program that
/// seccomp accepted. Since the conversion, prog->len is this number, and seccomp_attach_filter's
/// path limit adds it up (not the classic length the task passed): four `ret #ALLOW` filters of
/// 4096 instructions already overflow 32768.
/// </summary>
public static class ConvertedLength
{
    /// <summary>XOR A,A; XOR X,X; MOV CTX,ARG1 (seccomp never sets seen_ld_abs).</summary>
    public const int Prologue = 3;

    public static int Of(ReadOnlySpan<Instruction> program)
    {
        int n = Prologue;
        foreach (var insn in program)
            n += Of(insn);
        return n;
    }

    /// <summary>One instruction's share; seccomp's rewrites (LD ABS to LDX ABS, LEN to IMM) are one for one.</summary>
    public static int Of(Instruction insn)
    {
        ushort code = insn.Code;
        switch (Op.ClassOf(code))
        {
            case Op.RET:
                // RET K moves K into R0 first; RET A already has it there.
                return Op.RvalOf(code) == Op.K ? 2 : 1;
            case Op.ALU when Op.OpOf(code) is Op.DIV or Op.MOD && Op.SrcOf(code) == Op.X:
                // Zero-extend X, test it, A = 0 and exit when it is zero, then the division.
                return 5;
            case Op.JMP when Op.OpOf(code) != Op.JA:
            {
                // A negative K is zero-extended through a temporary register first.
                int n = Op.SrcOf(code) == Op.K && (int)insn.K < 0 ? 1 : 0;
                bool oneJump = insn.Jf == 0 || (insn.Jt == 0 && Op.OpOf(code) is Op.JEQ or Op.JGT or Op.JGE);
                return n + (oneJump ? 1 : 2);
            }
            default:
                return 1;
        }
    }
}
