using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Text;

namespace Conformance.Tests.Text;

/// <summary>The seccomp spellings the assembler adds to bpf_asm.</summary>
public class AssemblerSeccompTests
{
    static uint K(string text, Abi? abi = null) =>
        Assembler.Assemble(text, new AssembleOptions { Abi = abi }).Single().K;

    // Values from include/uapi/linux/seccomp.h.
    [TestCase("ret #ALLOW", 0x7fff0000u)]
    [TestCase("ret #KILL", 0x00000000u)]
    [TestCase("ret #KILL_THREAD", 0x00000000u)]
    [TestCase("ret #KILL_PROCESS", 0x80000000u)]
    [TestCase("ret #TRAP", 0x00030000u)]
    [TestCase("ret #TRAP(0x42)", 0x00030042u)]
    [TestCase("ret #ERRNO(5)", 0x00050005u)]
    [TestCase("ret #ERRNO(EPERM)", 0x00050001u)]
    [TestCase("ret #ERRNO(EWOULDBLOCK)", 0x0005000bu)]
    [TestCase("ret #ERRNO(0xffff)", 0x0005ffffu)]
    [TestCase("ret #TRACE(7)", 0x7ff00007u)]
    [TestCase("ret #USER_NOTIF", 0x7fc00000u)]
    [TestCase("ret #LOG", 0x7ffc0000u)]
    [TestCase("ret #ALLOW(3)", 0x7fff0003u)]
    public void Actions(string text, uint k)
    {
        var program = Assembler.Assemble(text);
        Assert.That(program, Is.EqualTo(new[] { new Instruction(Op.RET | Op.K, 0, 0, k) }));
    }

    [Test]
    public void ActionsAreImmediatesAnywhere()
    {
        var p = Assembler.Assemble("ld #ERRNO(1)\njeq #ALLOW, yes\nldx #TRAP(2)\nadd #LOG\nyes: ret a");
        Assert.That(p.Select(i => i.K), Is.EqualTo(new uint[] { 0x00050001, 0x7fff0000, 0x00030002, 0x7ffc0000, 0 }));
    }

    [TestCase("AUDIT_ARCH_X86_64", 0xc000003eu)]
    [TestCase("AUDIT_ARCH_I386", 0x40000003u)]
    [TestCase("AUDIT_ARCH_AARCH64", 0xc00000b7u)]
    [TestCase("AUDIT_ARCH_ARM", 0x40000028u)]
    public void AuditArches(string name, uint value) =>
        Assert.That(Assembler.Assemble($"ld [arch]\njne #{name}, out\nout: ret #0")[1].K, Is.EqualTo(value));

    [TestCase("nr", 0u), TestCase("arch", 4u), TestCase("ip", 8u), TestCase("ip_hi", 12u),
     TestCase("args[0]", 16u), TestCase("args[2]", 32u), TestCase("arg2", 32u), TestCase("args[5]", 56u),
     TestCase("args_hi[2]", 36u), TestCase("arg2_hi", 36u), TestCase("args_hi[5]", 60u), TestCase("17", 17u)]
    public void DataFields(string field, uint offset)
    {
        var i = Assembler.Assemble($"ld [{field}]").Single();
        Assert.That(i, Is.EqualTo(new Instruction(Op.LD | Op.W | Op.ABS, 0, 0, offset)));
    }

    [Test]
    public void SyscallNamesResolveInTheGivenAbi()
    {
        Assert.That(K("ld #getpid", Abi.X86_64), Is.EqualTo(39));
        Assert.That(K("ld #getpid", Abi.Aarch64), Is.EqualTo(172));
        Assert.That(K("ld #getpid", Abi.I386), Is.EqualTo(20));
        Assert.That(K("ld #getpid", Abi.X32), Is.EqualTo(0x40000027));
        Assert.That(K("ld #getpid", Abi.Arm), Is.EqualTo(20));
        Assert.That(K("ld #cacheflush", Abi.Arm), Is.EqualTo(0x0f0002));
    }

    [Test]
    public void QualifiedSyscallNamesIgnoreTheDefault()
    {
        Assert.That(K("ld #x86_64.getpid"), Is.EqualTo(39));
        Assert.That(K("ld #i386.getpid", Abi.Aarch64), Is.EqualTo(20));
        Assert.That(K("ld #aarch64.getpid", Abi.X86_64), Is.EqualTo(172));
        Assert.That(K("ld #arm64.openat"), Is.EqualTo(56));
    }

    [Test]
    public void ArchDirectiveSetsTheAbiForLaterNames()
    {
        var p = Assembler.Assemble(".arch aarch64\nld #getpid\n.arch x86_64\nld #getpid", new AssembleOptions { Abi = Abi.I386 });
        Assert.That(p.Select(i => i.K), Is.EqualTo(new uint[] { 172, 39 }));
    }

    [Test]
    public void KillIsTheActionAndKillIsTheSyscall()
    {
        var p = Assembler.Assemble("ld [nr]\njeq #kill, deny\nret #ALLOW\ndeny: ret #KILL", new AssembleOptions { Abi = Abi.X86_64 });
        Assert.That(p[1].K, Is.EqualTo(62));
        Assert.That(p[3].K, Is.EqualTo(SeccompRet.KillThread));
    }

    [Test]
    public void InsnDirectiveEmitsAnyInstruction()
    {
        var p = Assembler.Assemble(".insn 0x21, 0, 0, 0x10\n.insn 0xffff, 255, 7, 0xffffffff\n.insn 6, 0, 0, #ALLOW\n.insn 0, 0, 0, -1");
        Assert.That(p, Is.EqualTo(new[]
        {
            new Instruction(0x21, 0, 0, 0x10), new Instruction(0xffff, 255, 7, 0xffffffff),
            new Instruction(6, 0, 0, 0x7fff0000), new Instruction(0, 0, 0, 0xffffffff),
        }));
    }

    [Test]
    public void IndirectOffsetWithoutSpaces() =>
        Assert.That(Assembler.Assemble("ld [x+5]\nldb [%x+-1]").Select(i => (i.Code, i.K)),
            Is.EqualTo(new[] { ((ushort)0x40, 5u), ((ushort)0x50, 0xffffffffu) }));

    [Test]
    public void SeveralLabelsOnOneInstructionAndForwardJa()
    {
        var p = Assembler.Assemble("ja b\njeq #1, a, b\na: b: ret #0");
        Assert.That(p, Is.EqualTo(new[] { new Instruction(0x05, 0, 0, 1), new Instruction(0x15, 0, 0, 1), new Instruction(0x06, 0, 0, 0) }));
    }

    [Test]
    public void NoLengthLimit()
    {
        var text = string.Concat(Enumerable.Repeat("ld #1\n", 5000)) + "ret a";
        Assert.That(Assembler.Assemble(text), Has.Length.EqualTo(5001));
    }

    [Test]
    public void RealisticFilter()
    {
        const string text = """
            ; allow getpid and exit_group on x86_64, EPERM for the rest
            ld [arch]
            jne #AUDIT_ARCH_X86_64, kill
            ld [nr]
            jge #0x40000000, kill        ; x32
            jeq #getpid, allow
            jeq #exit_group, allow
            ld [args_hi[0]]
            ret #ERRNO(EPERM)
            allow: ret #ALLOW
            kill: ret #KILL_PROCESS
            """;
        var p = Assembler.Assemble(text, new AssembleOptions { Abi = Abi.X86_64 });
        Assert.That(p, Is.EqualTo(new[]
        {
            new Instruction(0x20, 0, 0, 4), new Instruction(0x15, 0, 7, 0xc000003e), new Instruction(0x20, 0, 0, 0),
            new Instruction(0x35, 5, 0, 0x40000000), new Instruction(0x15, 3, 0, 39), new Instruction(0x15, 2, 0, 231),
            new Instruction(0x20, 0, 0, 20), new Instruction(0x06, 0, 0, 0x00050001), new Instruction(0x06, 0, 0, 0x7fff0000),
            new Instruction(0x06, 0, 0, 0x80000000),
        }));
    }
}
