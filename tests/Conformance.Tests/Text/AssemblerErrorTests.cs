using Conformance.Model.Seccomp;
using Conformance.Model.Text;

namespace Conformance.Tests.Text;

/// <summary>The first error, at the exact 1-based line and column of the token at fault.</summary>
public class AssemblerErrorTests
{
    static FilterSyntaxException Fails(string text, Abi? abi = null) =>
        Assert.Throws<FilterSyntaxException>(() => Assembler.Assemble(text, new AssembleOptions { Abi = abi }))!;

    [TestCase("ld [0]\nret a\n  jeq #1, lda\nlda [0]", 4, 1, "unknown mnemonic 'lda'")]
    [TestCase("ld [0]\nret a\nxx: lda [0]", 3, 5, "unknown mnemonic 'lda'")]
    [TestCase("ld #1\nld #0x1ffffffff", 2, 5, "does not fit in 32 bits")]
    [TestCase("ld #08", 1, 5, "malformed number '08'")]
    [TestCase("ld #12ab", 1, 5, "malformed number '12ab'")]
    [TestCase("ld #-2147483649", 1, 5, "does not fit in 32 bits")]
    [TestCase("ld [0] @", 1, 8, "unexpected character '@'")]
    [TestCase("ld [0]\n/* open", 2, 1, "comment is not closed")]
    [TestCase("ld", 1, 3, "expected an operand for ld")]
    [TestCase("st #1", 1, 4, "expected M[k] for st")]
    [TestCase("add y", 1, 5, "expected #k or x after add")]
    [TestCase("jeq #1 a1\na1: ret a", 1, 8, "expected ','")]
    [TestCase("jeq #1, ld", 1, 9, "expected a label, found the mnemonic 'ld'")]
    [TestCase("jne #1, aa, bb\naa: ret a\nbb: ret a", 1, 11, "jne takes a single label")]
    [TestCase("ldxb 4*([0]&0xe)", 1, 6, "only 4*([k]&0xf)")]
    [TestCase("ld [nrr]", 1, 5, "unknown seccomp_data field 'nrr'")]
    [TestCase("ld [args[6]]", 1, 10, "args[0] to args[5]")]
    [TestCase(".foo 1", 1, 2, "unknown directive '.foo'")]
    [TestCase(".insn 0x10000, 0, 0, 0", 1, 7, "larger than 65535")]
    [TestCase(".insn 6, 256, 0, 0", 1, 10, "jt 256 is larger than 255")]
    [TestCase(".arch sparc\nret a", 1, 7, "expected an ABI")]
    [TestCase("ret #ERRNO(0x10000)", 1, 12, "does not fit in the 16 bits of SECCOMP_RET_DATA")]
    [TestCase("ret #ERRNO(ENOPE)", 1, 12, "unknown errno name 'ENOPE'")]
    [TestCase("ret #TRAP(EPERM)", 1, 11, "errno names only go in ERRNO")]
    [TestCase("ret #ERRNO(5", 1, 13, "expected ')'")]
    [TestCase("ret #allow", 1, 6, "did you mean ALLOW?")]
    [TestCase("ret #Audit_Arch_Arm", 1, 6, "did you mean AUDIT_ARCH_ARM?")]
    [TestCase("ld #getpid", 1, 5, "system call name 'getpid' needs an ABI")]
    [TestCase("ld #whatever", 1, 5, "unknown name 'whatever'")]
    [TestCase("ld #sparc.getpid", 1, 5, "unknown ABI 'sparc'")]
    [TestCase("ld #aarch64.open", 1, 13, "no system call 'open' on aarch64")]
    [TestCase("ret #x86_64.kill", 1, 6, "is a system call, not a return value")]
    [TestCase("ret #getpid", 1, 6, "'getpid' is a system call, not a return value")]
    [TestCase("ld [nr]\njeq #kill, a1\na1: ret a", 2, 6, "system call name 'kill' needs an ABI: give one (asm --arch), add '.arch ABI' or write #x86_64.kill (the action is KILL)")]
    [TestCase("ja nowhere\nret a", 1, 4, "no such label 'nowhere'")]
    [TestCase("back: ld #1\nja back\nret a", 2, 4, "label 'back' (line 1) is not after this jump")]
    [TestCase("self: ja self", 1, 10, "is not after this jump")]
    [TestCase("aa: ld #1\naa: ret a", 2, 1, "label 'aa' is already defined at 1:1")]
    [TestCase("ld: ret a", 1, 1, "'ld' is a mnemonic")]
    [TestCase("ret a\nend:", 2, 1, "label 'end' is not followed by an instruction")]
    [TestCase("", 1, 1, "no instructions")]
    [TestCase("; only a comment\n", 2, 1, "no instructions")]
    [TestCase("5", 1, 1, "expected a mnemonic or a label, found number 5")]
    public void ReportsTheFirstErrorWhereItIs(string text, int line, int column, string message)
    {
        var e = Fails(text);
        Assert.That((e.Line, e.Column), Is.EqualTo((line, column)), e.Message);
        Assert.That(e.Reason, Does.Contain(message));
        Assert.That(e.Message, Does.StartWith($"{line}:{column}: "));
    }

    [Test]
    public void UnknownSyscallNamesTheAbi()
    {
        var e = Fails("ld [nr]\njeq #getpidd, a1\na1: ret a", Abi.X86_64);
        Assert.That((e.Line, e.Column, e.Reason), Is.EqualTo((2, 6, "unknown name 'getpidd': not an action, an AUDIT_ARCH_* constant or a system call on x86_64")));
    }

    [Test]
    public void SyscallNameIsNotAReturnValue()
    {
        var e = Fails("ret #kill", Abi.Aarch64);
        Assert.That(e.Reason, Is.EqualTo("'kill' is a system call, not a return value (the action is KILL)"));
    }

    [Test]
    public void ConditionalJumpReachIs255()
    {
        string Far(int gap) => "jeq #1, far\n" + string.Concat(Enumerable.Repeat("ld #1\n", gap)) + "far: ret a";
        Assert.That(Assembler.Assemble(Far(255))[0].Jt, Is.EqualTo(255));
        var e = Fails(Far(256));
        Assert.That((e.Line, e.Column), Is.EqualTo((1, 9)));
        Assert.That(e.Reason, Is.EqualTo("label 'far' is 256 instructions ahead; a conditional jump reaches at most 255"));
    }

    [Test]
    public void ParseErrorsComeBeforeLabelErrors()
    {
        // The missing label on line 1 cannot be judged before the whole text is read; the syntax error can.
        var e = Fails("ja nowhere\nret a\nret b");
        Assert.That((e.Line, e.Column), Is.EqualTo((3, 5)));
    }

    [Test]
    public void PositionsCountTabsAsOneColumnAndLinesFromOne()
    {
        var e = Fails("ld [0]\r\n\tret q");
        Assert.That((e.Line, e.Column), Is.EqualTo((2, 6)));
    }
}
