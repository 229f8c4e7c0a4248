using Conformance.Model.Bpf;

namespace Conformance.Model.Seccomp;

/// <summary>
/// Linux's install-time checks on one seccomp filter, in the kernel's order: the length check of
/// seccomp_prepare_filter, bpf_check_classic (opcode table, per-instruction limits, final RET,
/// check_load_and_stores) and then seccomp_check_filter. Every failure is EINVAL; the rule and the
/// instruction are for people. The path limit needs the chain and lives in <see cref="FilterChain"/>.
/// </summary>
public static class FilterChecker
{
    const uint SkfAdOff = 0xfffff000;
    const int SeccompDataSize = SeccompData.Size;

    public static CheckResult Check(ReadOnlySpan<Instruction> program, KernelProfile profile)
    {
        if (program.Length == 0 || program.Length > Op.MaxInstructions)
            return Fail(CheckRule.Length, -1, $"length {program.Length} is outside 1..{Op.MaxInstructions}");

        var classic = CheckClassic(program, profile);
        if (!classic.Accepted)
            return classic;
        return CheckSeccompWhitelist(program, profile);
    }

    /// <summary>bpf_check_classic: the socket-filter checker every classic program passes first.</summary>
    static CheckResult CheckClassic(ReadOnlySpan<Instruction> p, KernelProfile profile)
    {
        int flen = p.Length;
        for (int pc = 0; pc < flen; pc++)
        {
            var insn = p[pc];
            if (!ClassicOpcodes.IsAllowed(insn.Code))
                return Fail(CheckRule.UnknownOpcode, pc, $"opcode 0x{insn.Code:x2} is not a classic BPF instruction Linux accepts");

            switch (insn.Code)
            {
                case Op.ALU | Op.DIV | Op.K:
                case Op.ALU | Op.MOD | Op.K:
                    if (insn.K == 0)
                        return Fail(CheckRule.DivisionByZero, pc, $"{(Op.OpOf(insn.Code) == Op.DIV ? "div" : "mod")} by the constant 0");
                    break;
                case Op.ALU | Op.LSH | Op.K:
                case Op.ALU | Op.RSH | Op.K:
                    if (profile.RejectsLargeConstantShift && insn.K >= 32)
                        return Fail(CheckRule.ShiftTooLarge, pc, $"shift by the constant {insn.K} (must be < 32)");
                    break;
                case Op.LD | Op.MEM:
                case Op.LDX | Op.MEM:
                case Op.ST:
                case Op.STX:
                    if (insn.K >= Op.MemWords)
                        return Fail(CheckRule.ScratchIndex, pc, $"scratch cell M[{insn.K}] does not exist (M[0]..M[15])");
                    break;
                case Op.JMP | Op.JA:
                    if (insn.K >= (uint)(flen - pc - 1))
                        return Fail(CheckRule.JumpOutOfRange, pc, $"ja +{insn.K} lands outside the program ({flen} instructions)");
                    break;
                case var code when Op.IsConditionalJump(code):
                    if (pc + insn.Jt + 1 >= flen || pc + insn.Jf + 1 >= flen)
                        return Fail(CheckRule.JumpOutOfRange, pc, $"conditional jump (jt {insn.Jt}, jf {insn.Jf}) lands outside the program ({flen} instructions)");
                    break;
                case Op.LD | Op.W | Op.ABS:
                case Op.LD | Op.H | Op.ABS:
                case Op.LD | Op.B | Op.ABS:
                    if (insn.K >= SkfAdOff && !IsKnownAncillary(insn.K))
                        return Fail(CheckRule.UnknownAncillary, pc, $"load from 0x{insn.K:x8}, an unknown ancillary offset");
                    break;
            }
        }

        var last = p[flen - 1].Code;
        if (last != (Op.RET | Op.K) && last != (Op.RET | Op.A))
            return Fail(CheckRule.NoFinalReturn, flen - 1, "the last instruction is not ret #k or ret a");

        return CheckScratchFlow(p);
    }

    /// <summary>SKF_AD_* offsets 0..60 in steps of 4 (include/uapi/linux/filter.h, bpf_anc_helper).</summary>
    static bool IsKnownAncillary(uint k)
    {
        uint off = k - SkfAdOff;
        return off <= 60 && (off & 3) == 0;
    }

    /// <summary>
    /// check_load_and_stores: one linear pass with a 16-bit "written" mask. A jump target's mask is
    /// the AND of the masks on every edge into it, and after any jump the fall-through mask is all
    /// ones — the pass is not reachability-aware, so unreachable reads are judged too.
    /// </summary>
    static CheckResult CheckScratchFlow(ReadOnlySpan<Instruction> p)
    {
        int flen = p.Length;
        Span<ushort> masks = flen <= 512 ? stackalloc ushort[flen] : new ushort[flen];
        masks.Fill(0xffff);
        ushort valid = 0;
        for (int pc = 0; pc < flen; pc++)
        {
            valid &= masks[pc];
            var insn = p[pc];
            switch (insn.Code)
            {
                case Op.ST:
                case Op.STX:
                    valid |= (ushort)(1 << (int)insn.K);
                    break;
                case Op.LD | Op.MEM:
                case Op.LDX | Op.MEM:
                    if ((valid & (1 << (int)insn.K)) == 0)
                        return Fail(CheckRule.UninitializedScratch, pc, $"reads M[{insn.K}], which is not written on every path into it");
                    break;
                case Op.JMP | Op.JA:
                    masks[pc + 1 + (int)insn.K] &= valid;
                    valid = 0xffff;
                    break;
                case var code when Op.IsConditionalJump(code):
                    masks[pc + 1 + insn.Jt] &= valid;
                    masks[pc + 1 + insn.Jf] &= valid;
                    valid = 0xffff;
                    break;
            }
        }
        return CheckResult.Ok;
    }

    /// <summary>seccomp_check_filter: the whitelist, and the bounds and alignment of ld [k].</summary>
    static CheckResult CheckSeccompWhitelist(ReadOnlySpan<Instruction> p, KernelProfile profile)
    {
        for (int pc = 0; pc < p.Length; pc++)
        {
            var insn = p[pc];
            if (insn.Code == (Op.LD | Op.W | Op.ABS))
            {
                if (insn.K >= SeccompDataSize || (insn.K & 3) != 0)
                    return Fail(CheckRule.LoadOffset, pc, $"ld [{insn.K}] is outside struct seccomp_data or unaligned (k must be 0, 4, ..., 60)");
                continue;
            }
            if (!SeccompOpcodes.IsAllowed(insn.Code, profile))
                return Fail(CheckRule.NotAllowedInSeccomp, pc, $"opcode 0x{insn.Code:x2} ({ClassicOpcodes.Describe(insn.Code)}) is valid classic BPF but seccomp does not allow it");
        }
        return CheckResult.Ok;
    }

    static CheckResult Fail(CheckRule rule, int pc, string reason) =>
        new(Errnos.EINVAL, rule, pc, pc >= 0 ? $"insn {pc}: {reason}" : reason);
}
