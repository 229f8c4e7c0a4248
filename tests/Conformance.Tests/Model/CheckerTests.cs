using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using static Conformance.Tests.Model.Bpf;

namespace Conformance.Tests.Model;

/// <summary>Both sides of every install-time rule, with the rule the kernel's order reaches first.</summary>
public class CheckerTests
{
    static CheckResult Check(params Instruction[] p) => FilterChecker.Check(p, KernelProfiles.Default);

    static void Accepted(params Instruction[] p) => Assert.That(Check(p).Accepted, Is.True, Check(p).ToString());

    static void Rejected(CheckRule rule, int pc, params Instruction[] p)
    {
        var r = Check(p);
        Assert.That(r.Errno, Is.EqualTo(Errnos.EINVAL), r.ToString());
        Assert.That(r.Rule, Is.EqualTo(rule), r.ToString());
        Assert.That(r.Pc, Is.EqualTo(pc), r.ToString());
    }

    [Test]
    public void Length_must_be_between_1_and_4096()
    {
        Rejected(CheckRule.Length, -1);
        Accepted(Ret(Allow));
        Accepted(Repeat(LdAbs(0), 4096, Ret(Allow)));
        Rejected(CheckRule.Length, -1, Repeat(LdAbs(0), 4097, Ret(Allow)));
    }

    /// <summary>
    /// Every 8-bit code in "code; ret" with k = 1 (0 for ja): exactly seccomp's whitelist passes. The expected
    /// sets are written out here from kernel/seccomp.c and net/core/filter.c, not taken from the model.
    /// </summary>
    [Test]
    public void Only_seccomps_whitelist_passes_and_other_classic_codes_fail_in_seccomp_check()
    {
        int[] seccomp =
        [
            0x06, 0x16, // ret k, ret a
            0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c, 0x84, 0xa4, 0xac, // alu
            0x00, 0x01, 0x80, 0x81, // ld/ldx imm, ld/ldx len
            0x07, 0x87, // tax, txa
            0x02, 0x03, // st, stx
            0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, // jumps
        ];
        int[] classicOnly = [0x94, 0x9c, 0x28, 0x30, 0x40, 0x48, 0x50, 0xb1];
        int[] needsWrittenScratch = [0x60, 0x61];
        for (int code = 0; code < 256; code++)
        {
            var r = Check(new Instruction((ushort)code, 0, 0, code == 0x05 ? 0u : 1u), Ret(Allow));
            if (seccomp.Contains(code))
                Assert.That(r.Accepted, Is.True, $"0x{code:x2}: {r}");
            else if (classicOnly.Contains(code))
                Assert.That(r.Rule, Is.EqualTo(CheckRule.NotAllowedInSeccomp), $"0x{code:x2}: {r}");
            else if (needsWrittenScratch.Contains(code))
                Assert.That(r.Rule, Is.EqualTo(CheckRule.UninitializedScratch), $"0x{code:x2}: {r}");
            else if (code == 0x20)
                Assert.That(r.Rule, Is.EqualTo(CheckRule.LoadOffset), "ld [1] is unaligned");
            else
                Assert.That(r.Rule, Is.EqualTo(CheckRule.UnknownOpcode), $"0x{code:x2}: {r}");
        }
    }

    [Test]
    public void Codes_above_8_bits_and_the_internal_seccomp_load_are_unknown_opcodes()
    {
        Rejected(CheckRule.UnknownOpcode, 0, Stmt(0x21, 0), Ret(Allow));
        Rejected(CheckRule.UnknownOpcode, 0, Stmt(0x106, 0), Ret(Allow));
        Rejected(CheckRule.UnknownOpcode, 1, LdImm(0), Stmt(0x0e, 0)); // ret x
        Rejected(CheckRule.UnknownOpcode, 0, Stmt(0x8c, 0), Ret(Allow)); // neg|x
        Rejected(CheckRule.UnknownOpcode, 0, Stmt(0x08, 0), Ret(Allow)); // ld h imm
    }

    [Test]
    public void Division_by_constant_zero_is_rejected_before_the_seccomp_whitelist()
    {
        Accepted(AluK(Op.DIV, 1), Ret(Allow));
        Rejected(CheckRule.DivisionByZero, 0, AluK(Op.DIV, 0), Ret(Allow));
        Rejected(CheckRule.DivisionByZero, 0, AluK(Op.MOD, 0), Ret(Allow));
        Rejected(CheckRule.NotAllowedInSeccomp, 0, AluK(Op.MOD, 3), Ret(Allow));
        Accepted(AluX(Op.DIV), Ret(Allow)); // a runtime question
    }

    [Test]
    public void Constant_shifts_must_be_below_32_but_shifts_by_x_are_not_checked()
    {
        Accepted(AluK(Op.LSH, 31), Ret(Allow));
        Accepted(AluK(Op.RSH, 31), Ret(Allow));
        Rejected(CheckRule.ShiftTooLarge, 0, AluK(Op.LSH, 32), Ret(Allow));
        Rejected(CheckRule.ShiftTooLarge, 0, AluK(Op.RSH, 0xffffffff), Ret(Allow));
        Accepted(LdxImm(33), AluX(Op.LSH), Ret(Allow));
    }

    [Test]
    public void Scratch_cells_run_from_0_to_15()
    {
        Accepted(St(15), LdMem(15), RetA);
        Rejected(CheckRule.ScratchIndex, 0, St(16), Ret(Allow));
        Rejected(CheckRule.ScratchIndex, 1, St(0), LdMem(16), RetA);
        Rejected(CheckRule.ScratchIndex, 0, Stmt(Op.STX, 16), Ret(Allow));
        Rejected(CheckRule.ScratchIndex, 0, Stmt(Op.LDX | Op.MEM, 0xffffffff), Ret(Allow));
    }

    [Test]
    public void Ja_must_land_inside_the_program()
    {
        Accepted(Ja(1), Ret(0), Ret(Allow));
        Rejected(CheckRule.JumpOutOfRange, 0, Ja(2), Ret(0), Ret(Allow));
        Rejected(CheckRule.JumpOutOfRange, 0, Ja(0xffffffff), Ret(Allow)); // "backwards" is a huge forward jump
    }

    [Test]
    public void Conditional_jumps_must_land_inside_the_program_on_both_edges()
    {
        Accepted(Jump(Op.JMP | Op.JEQ | Op.K, 0, 1, 0), Ret(0), Ret(Allow));
        Rejected(CheckRule.JumpOutOfRange, 0, Jump(Op.JMP | Op.JEQ | Op.K, 0, 2, 0), Ret(0), Ret(Allow));
        Rejected(CheckRule.JumpOutOfRange, 0, Jump(Op.JMP | Op.JSET | Op.X, 0, 0, 2), Ret(0), Ret(Allow));
        var longJump = Repeat(Ret(Allow), 257, Ret(Allow));
        longJump[0] = Jump(Op.JMP | Op.JGT | Op.K, 0, 255, 255);
        Accepted(longJump);
        Rejected(CheckRule.JumpOutOfRange, 0, longJump[..256]);
    }

    [Test]
    public void Loads_from_seccomp_data_must_be_aligned_and_inside_64_bytes()
    {
        foreach (uint k in new uint[] { 0, 4, 8, 12, 16, 60 })
            Accepted(LdAbs(k), RetA);
        foreach (uint k in new uint[] { 1, 2, 3, 61, 62, 63, 64, 0x1000 })
            Rejected(CheckRule.LoadOffset, 0, LdAbs(k), RetA);
        // A known ancillary offset passes the classic checker and fails in seccomp's.
        Rejected(CheckRule.LoadOffset, 0, LdAbs(0xfffff000), RetA);
        Rejected(CheckRule.UnknownAncillary, 0, LdAbs(0xfffff040), RetA);
    }

    [Test]
    public void The_last_instruction_must_be_ret_k_or_ret_a()
    {
        Rejected(CheckRule.NoFinalReturn, 1, Ret(Allow), LdImm(0));
        Accepted(LdImm(Allow), RetA);
    }

    [Test]
    public void Scratch_reads_need_a_write_on_every_path_even_in_dead_code()
    {
        Rejected(CheckRule.UninitializedScratch, 0, LdMem(0), RetA);
        Rejected(CheckRule.UninitializedScratch, 1, Ret(Allow), LdMem(0), RetA);
        Accepted(St(3), Ja(1), Ret(0), LdMem(3), RetA);
        // Written on one branch only.
        Rejected(CheckRule.UninitializedScratch, 4,
            Jump(Op.JMP | Op.JEQ | Op.K, 0, 0, 1), St(2), Ja(0), LdImm(0), LdMem(2), RetA);
        // Written before the branch: both edges carry it.
        Accepted(St(2), Jump(Op.JMP | Op.JEQ | Op.K, 0, 0, 1), LdImm(1), LdMem(2), RetA);
        // A ret does not end a path for the pass: its mask flows on into the next instruction.
        Rejected(CheckRule.UninitializedScratch, 2, Jump(Op.JMP | Op.JEQ | Op.K, 0, 0, 0), Ret(0), LdMem(1), RetA);
    }

    [Test]
    public void Load_len_loads_are_accepted_and_read_64()
    {
        Assert.That(Run([Stmt(Op.LD | Op.W | Op.LEN, 0), RetA], default), Is.EqualTo(64u));
        Assert.That(Run([Stmt(Op.LDX | Op.W | Op.LEN, 0), Stmt(Op.MISC | Op.TXA, 0), RetA], default), Is.EqualTo(64u));
    }

    [Test]
    public void Rules_are_reported_in_the_kernels_order_first_failing_instruction_first()
    {
        // pc 0 fails the seccomp whitelist, pc 1 the classic checker: the classic pass runs first.
        Rejected(CheckRule.DivisionByZero, 1, AluK(Op.MOD, 2), AluK(Op.DIV, 0), Ret(Allow));
        // Unknown opcode at pc 2 after a bad jump at pc 0: the first instruction decides.
        Rejected(CheckRule.JumpOutOfRange, 0, Ja(5), Ret(0), Stmt(0x21, 0), Ret(Allow));
    }
}
