using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Tests.Catalogue;

/// <summary>`.repeat N INSTRUCTION` in case filters: long programs without long files, errors still at their place.</summary>
public class FilterRepeatTests
{
    static Instruction[] Assemble(string text) =>
        CaseCompiler.Assemble(new FilterSource("f", text, new SourcePosition("t.yaml", 10, 5)), Abi.X86_64);

    [Test]
    public void Repeat_writes_that_many_copies_of_the_instruction()
    {
        var p = Assemble(".repeat 4095 ld [nr]\nret #ALLOW");
        Assert.That(p, Has.Length.EqualTo(4096));
        Assert.That(p[..4095].Distinct().Single(), Is.EqualTo(Instruction.Stmt(Op.LD | Op.W | Op.ABS, 0)));
        Assert.That(p[4095], Is.EqualTo(Instruction.Stmt(Op.RET | Op.K, SeccompRet.Allow)));
    }

    [Test]
    public void A_label_before_repeat_names_the_first_copy_and_jumps_over_copies_resolve()
    {
        var p = Assemble("""
            ld [nr]
            jeq #getppid, deny, allow
            allow: .repeat 254 ld [nr]
            ret #ALLOW
            deny: ret #ERRNO(1)
            """);
        Assert.That(p, Has.Length.EqualTo(258));
        Assert.That((p[1].Jt, p[1].Jf), Is.EqualTo(((byte)255, (byte)0)), "deny is 255 instructions past the jump's next one");
    }

    [Test]
    public void A_comment_after_the_instruction_is_not_repeated()
    {
        Assert.That(Assemble(".repeat 3 ld [nr] ; three loads\nret #ALLOW"), Has.Length.EqualTo(4));
    }

    [Test]
    public void Lines_after_a_repeat_keep_their_line_numbers_in_errors()
    {
        var e = Assert.Throws<CaseFormatException>(() => Assemble(".repeat 100 ld [nr]\nret #ALLOW\nbogus"));
        Assert.That(e!.Line, Is.EqualTo(12));
    }

    [Test]
    public void An_error_in_the_repeated_instruction_points_at_its_column()
    {
        var e = Assert.Throws<CaseFormatException>(() => Assemble("ret #ALLOW\n.repeat 2 ld [nope]"));
        Assert.That((e!.Line, e.Column), Is.EqualTo((11, 15)));
        Assert.That(e.Message, Does.Contain("nope"));
    }

    [TestCase(".repeat 0 ld [nr]", "count 1..8192")]
    [TestCase(".repeat 9000 ld [nr]", "count 1..8192")]
    [TestCase(".repeat many ld [nr]", "found 'many'")]
    [TestCase(".repeat 3", "names no instruction")]
    public void A_bad_repeat_is_an_error_at_the_directive(string line, string message)
    {
        var e = Assert.Throws<CaseFormatException>(() => Assemble("ret #ALLOW\n" + line));
        Assert.That((e!.File, e.Line, e.Column), Is.EqualTo(("t.yaml", 11, 1)));
        Assert.That(e.Message, Does.Contain(message));
    }
}
