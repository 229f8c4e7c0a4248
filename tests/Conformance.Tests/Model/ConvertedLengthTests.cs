using Conformance.Model.Bpf;
using static Conformance.Tests.Model.Bpf;

namespace Conformance.Tests.Model;

/// <summary>bpf_convert_filter's instruction counts, which the kernel's path limit adds up.</summary>
public class ConvertedLengthTests
{
    [Test]
    public void A_single_ret_k_is_the_prologue_plus_two()
    {
        Assert.That(ConvertedLength.Of([Ret(Allow)]), Is.EqualTo(5));
        Assert.That(ConvertedLength.Of([LdImm(1), RetA]), Is.EqualTo(5));
    }

    [Test]
    public void Loads_stores_alu_and_ja_map_one_to_one()
    {
        Instruction[] p = [LdAbs(0), St(0), LdMem(0), AluK(Op.ADD, 1), AluX(Op.XOR), Ja(0), Stmt(Op.MISC | Op.TAX, 0), Stmt(Op.LD | Op.W | Op.LEN, 0), RetA];
        Assert.That(ConvertedLength.Of(p), Is.EqualTo(3 + 9));
    }

    [Test]
    public void Division_by_x_adds_the_zero_test()
    {
        Assert.That(ConvertedLength.Of(AluX(Op.DIV)), Is.EqualTo(5));
        Assert.That(ConvertedLength.Of(AluK(Op.DIV, 3)), Is.EqualTo(1));
    }

    [TestCase(Op.JEQ, 1, 0, 1)]    // jf == 0: one jump
    [TestCase(Op.JEQ, 0, 1, 1)]    // jt == 0: inverted (JNE)
    [TestCase(Op.JGT, 0, 1, 1)]    // JLE
    [TestCase(Op.JGE, 0, 1, 1)]    // JLT
    [TestCase(Op.JSET, 0, 1, 2)]   // no inverse of JSET: jump plus JA
    [TestCase(Op.JEQ, 1, 1, 2)]    // both taken: jump plus JA
    [TestCase(Op.JSET, 1, 0, 1)]
    public void Conditional_jumps_take_one_or_two(int op, int jt, int jf, int expected)
    {
        Assert.That(ConvertedLength.Of(Jump(Op.JMP | op | Op.K, 5, jt, jf)), Is.EqualTo(expected));
        Assert.That(ConvertedLength.Of(Jump(Op.JMP | op | Op.X, 0, jt, jf)), Is.EqualTo(expected));
    }

    [Test]
    public void A_negative_constant_in_a_jump_goes_through_a_temporary()
    {
        Assert.That(ConvertedLength.Of(Jump(Op.JMP | Op.JEQ | Op.K, 0x80000000, 1, 0)), Is.EqualTo(2));
        Assert.That(ConvertedLength.Of(Jump(Op.JMP | Op.JEQ | Op.K, 0xffffffff, 1, 1)), Is.EqualTo(3));
        Assert.That(ConvertedLength.Of(Jump(Op.JMP | Op.JEQ | Op.K, 0x7fffffff, 1, 0)), Is.EqualTo(1));
    }
}
