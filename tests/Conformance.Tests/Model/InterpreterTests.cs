using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using static Conformance.Tests.Model.Bpf;

namespace Conformance.Tests.Model;

/// <summary>Each ALU and jump operation on edge values, as the kernel's converted program computes them.</summary>
public class InterpreterTests
{
    [TestCase(0xffffffffu, 1u, 0u)]
    [TestCase(0x7fffffffu, 1u, 0x80000000u)]
    public void Add_wraps_at_32_bits(uint a, uint x, uint expected)
    {
        Assert.That(Alu(Op.ADD, a, x), Is.EqualTo(expected));
        Assert.That(AluConst(Op.ADD, a, x), Is.EqualTo(expected));
    }

    [TestCase(0u, 1u, 0xffffffffu)]
    [TestCase(5u, 7u, 0xfffffffeu)]
    public void Sub_wraps_at_32_bits(uint a, uint x, uint expected)
    {
        Assert.That(Alu(Op.SUB, a, x), Is.EqualTo(expected));
        Assert.That(AluConst(Op.SUB, a, x), Is.EqualTo(expected));
    }

    [TestCase(0x10000u, 0x10000u, 0u)]
    [TestCase(0xffffffffu, 0xffffffffu, 1u)]
    [TestCase(3u, 0x55555556u, 2u)]
    public void Mul_keeps_the_low_32_bits(uint a, uint x, uint expected)
    {
        Assert.That(Alu(Op.MUL, a, x), Is.EqualTo(expected));
        Assert.That(AluConst(Op.MUL, a, x), Is.EqualTo(expected));
    }

    [TestCase(0xffffffffu, 2u, 0x7fffffffu)]
    [TestCase(0x80000000u, 0xffffffffu, 0u)]
    [TestCase(7u, 7u, 1u)]
    [TestCase(6u, 7u, 0u)]
    public void Div_is_unsigned(uint a, uint x, uint expected)
    {
        Assert.That(Alu(Op.DIV, a, x), Is.EqualTo(expected));
        Assert.That(AluConst(Op.DIV, a, x), Is.EqualTo(expected));
    }

    [Test]
    public void Div_by_x_zero_ends_the_whole_filter_with_zero_which_is_kill_thread()
    {
        var p = new[] { LdImm(Allow), LdxImm(0), AluX(Op.DIV), RetA };
        Assert.That(Run(p, default), Is.EqualTo(SeccompRet.KillThread));
    }

    [TestCase(Op.AND, 0xf0f0f0f0u, 0xff00ff00u, 0xf000f000u)]
    [TestCase(Op.OR, 0xf0f0f0f0u, 0x0f000000u, 0xfff0f0f0u)]
    [TestCase(Op.XOR, 0xffffffffu, 0x0000ffffu, 0xffff0000u)]
    public void Bitwise_operations(int op, uint a, uint x, uint expected)
    {
        Assert.That(Alu(op, a, x), Is.EqualTo(expected));
        Assert.That(AluConst(op, a, x), Is.EqualTo(expected));
    }

    [TestCase(1u, 31u, 0x80000000u)]
    [TestCase(1u, 32u, 1u)]   // X & 31 == 0
    [TestCase(1u, 33u, 2u)]   // the measured x86-64 JIT result, and the interpreter's
    [TestCase(5u, 32u, 5u)]
    [TestCase(3u, 0xffffffffu, 0x80000000u)]
    public void Left_shift_by_x_uses_x_and_31(uint a, uint x, uint expected) =>
        Assert.That(Alu(Op.LSH, a, x), Is.EqualTo(expected));

    [TestCase(0x80000000u, 31u, 1u)]
    [TestCase(4u, 33u, 2u)]
    [TestCase(0x80000000u, 32u, 0x80000000u)]
    public void Right_shift_by_x_is_logical_and_uses_x_and_31(uint a, uint x, uint expected) =>
        Assert.That(Alu(Op.RSH, a, x), Is.EqualTo(expected));

    [Test]
    public void Constant_shifts()
    {
        Assert.That(AluConst(Op.LSH, 0xffffffff, 31), Is.EqualTo(0x80000000u));
        Assert.That(AluConst(Op.RSH, 0x80000000, 31), Is.EqualTo(1u));
        Assert.That(AluConst(Op.LSH, 7, 0), Is.EqualTo(7u));
    }

    [TestCase(0u, 0u)]
    [TestCase(1u, 0xffffffffu)]
    [TestCase(0x80000000u, 0x80000000u)]
    public void Neg_is_twos_complement(uint a, uint expected) =>
        Assert.That(Run([LdImm(a), Stmt(Op.ALU | Op.NEG, 0), RetA], default), Is.EqualTo(expected));

    [Test]
    public void Tax_copies_a_into_x_and_txa_copies_x_into_a()
    {
        // The vectors measured on Linux: gVisor's interpreter has these two swapped.
        Assert.That(Run([LdImm(Allow), LdxImm(Errno(1)), Stmt(Op.MISC | Op.TAX, 0), RetA], default), Is.EqualTo(Allow));
        Assert.That(Run([LdImm(Allow), LdxImm(Errno(1)), Stmt(Op.MISC | Op.TXA, 0), RetA], default), Is.EqualTo(Errno(1)));
    }

    [Test]
    public void A_and_x_start_at_zero()
    {
        Assert.That(Run([RetA], default), Is.EqualTo(0u));
        Assert.That(Run([Stmt(Op.MISC | Op.TXA, 0), RetA], default), Is.EqualTo(0u));
    }

    static uint Jump(int op, uint a, uint operand, bool useX)
    {
        var jump = useX
            ? Bpf.Jump(Op.JMP | op | Op.X, 0, 0, 1)
            : Bpf.Jump(Op.JMP | op | Op.K, operand, 0, 1);
        return Run([LdImm(a), LdxImm(operand), jump, Ret(1), Ret(2)], default);
    }

    [TestCase(Op.JEQ, 5u, 5u, true)]
    [TestCase(Op.JEQ, 5u, 6u, false)]
    [TestCase(Op.JEQ, 0xffffffffu, 0xffffffffu, true)] // a "negative" K is compared zero-extended
    [TestCase(Op.JGT, 0x80000000u, 1u, true)]           // unsigned
    [TestCase(Op.JGT, 5u, 5u, false)]
    [TestCase(Op.JGE, 5u, 5u, true)]
    [TestCase(Op.JGE, 0u, 0xffffffffu, false)]
    [TestCase(Op.JSET, 0x10u, 0x30u, true)]
    [TestCase(Op.JSET, 0x10u, 0x20u, false)]
    public void Conditional_jumps_compare_unsigned_32_bit(int op, uint a, uint operand, bool taken)
    {
        uint expected = taken ? 1u : 2u;
        Assert.That(Jump(op, a, operand, useX: false), Is.EqualTo(expected), "K form");
        Assert.That(Jump(op, a, operand, useX: true), Is.EqualTo(expected), "X form");
    }

    [Test]
    public void Ja_skips_forward()
    {
        Assert.That(Run([Ja(1), Ret(1), Ret(2)], default), Is.EqualTo(2u));
        Assert.That(Run([Ja(0), Ret(1)], default), Is.EqualTo(1u));
    }

    [Test]
    public void Loads_read_native_endian_words_of_seccomp_data()
    {
        var data = new SeccompData(231, AuditArch.X86_64, 0x1122334455667788,
            0xa0a1a2a3a4a5a6a7, 1, 2, 3, 4, 0xfffffffe00000005);
        Assert.That(Run([LdAbs(0), RetA], data), Is.EqualTo(231u));
        Assert.That(Run([LdAbs(4), RetA], data), Is.EqualTo(AuditArch.X86_64));
        Assert.That(Run([LdAbs(8), RetA], data), Is.EqualTo(0x55667788u));
        Assert.That(Run([LdAbs(12), RetA], data), Is.EqualTo(0x11223344u));
        Assert.That(Run([LdAbs(16), RetA], data), Is.EqualTo(0xa4a5a6a7u));
        Assert.That(Run([LdAbs(20), RetA], data), Is.EqualTo(0xa0a1a2a3u));
        Assert.That(Run([LdAbs(56), RetA], data), Is.EqualTo(5u));
        Assert.That(Run([LdAbs(60), RetA], data), Is.EqualTo(0xfffffffeu));
    }

    [Test]
    public void Negative_nr_reads_as_its_32_bit_pattern()
    {
        var data = new SeccompData(-1, AuditArch.X86_64);
        Assert.That(Run([LdAbs(0), RetA], data), Is.EqualTo(0xffffffffu));
    }

    [Test]
    public void Scratch_memory_holds_values_between_instructions()
    {
        var p = new[] { LdImm(7), St(0), LdxImm(9), Stmt(Op.STX, 15), LdImm(0), Stmt(Op.LDX | Op.MEM, 0), LdMem(15), AluX(Op.ADD), RetA };
        Assert.That(Run(p, default), Is.EqualTo(16u));
    }

    [Test]
    public void Div_by_constant_before_3_14_was_a_reciprocal_multiply()
    {
        var old = KernelProfiles.Linux3_10;
        // Expected values computed outside the model: ((a * ((2^32 + k - 1) / k mod 2^32)) >> 32).
        Assert.That(AluConst(Op.DIV, 100, 1, old), Is.EqualTo(0u), "A/1 == 0");
        Assert.That(AluConst(Op.DIV, 0xfffffffe, 3, old), Is.EqualTo(1431655765u));
        Assert.That(AluConst(Op.DIV, 0x80000000, 1000, old), Is.EqualTo(2147484u));
        Assert.That(AluConst(Op.DIV, 0x80000000, 0x80000001, old), Is.EqualTo(1u));
        Assert.That(AluConst(Op.DIV, 7, 2, old), Is.EqualTo(3u));
        // The same operations exactly on a modern kernel.
        Assert.That(AluConst(Op.DIV, 100, 1), Is.EqualTo(100u));
        Assert.That(AluConst(Op.DIV, 0xfffffffe, 3), Is.EqualTo(1431655764u));
        Assert.That(AluConst(Op.DIV, 0x80000000, 1000), Is.EqualTo(2147483u));
        Assert.That(AluConst(Op.DIV, 0x80000000, 0x80000001), Is.EqualTo(0u));
        // DIV by X was always exact.
        Assert.That(Alu(Op.DIV, 100, 1, old), Is.EqualTo(100u));
    }
}
