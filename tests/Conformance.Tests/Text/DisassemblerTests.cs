using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Text;

namespace Conformance.Tests.Text;

public class DisassemblerTests
{
    static Instruction I(ushort code, byte jt, byte jf, uint k) => new(code, jt, jf, k);

    [Test]
    public void SeccompFilterReadsNaturally()
    {
        Instruction[] p =
        [
            I(0x20, 0, 0, 4), I(0x15, 0, 5, 0xc000003e), I(0x20, 0, 0, 0), I(0x15, 2, 0, 39), I(0x15, 1, 0, 231),
            I(0x20, 0, 0, 20), I(0x06, 0, 0, 0x00050005), I(0x06, 0, 0, 0x7fff0000), I(0x06, 0, 0, 0x80000000),
        ];
        Assert.That(Disassembler.Disassemble(p, Abi.X86_64), Is.EqualTo("""
            .arch x86_64
            	ld [arch]
            	jne #AUDIT_ARCH_X86_64, L7
            	ld [nr]
            	jeq #getpid, L6
            	jeq #exit_group, L6
            	ld [args_hi[0]]
            L6:	ret #ERRNO(5)
            L7:	ret #ALLOW
            	ret #KILL_PROCESS

            """.Replace("\r\n", "\n")));
    }

    [Test]
    public void WithoutAnAbiSyscallNumbersStayNumbers()
    {
        Instruction[] p = [I(0x20, 0, 0, 0), I(0x15, 0, 1, 39), I(0x06, 0, 0, 0x7fff0000), I(0x06, 0, 0, 0)];
        Assert.That(Disassembler.Disassemble(p), Is.EqualTo("\tld [nr]\n\tjne #39, L3\n\tret #ALLOW\nL3:\tret #KILL_THREAD\n"));
    }

    [Test]
    public void NamesOnlyWhereEveryPathLoadedTheField()
    {
        // Instruction 4 is reached with A = nr (from 2) and with A = args[0] (from 3): no name there.
        Instruction[] p =
        [
            I(0x20, 0, 0, 0), I(0x15, 1, 0, 39), I(0x20, 0, 0, 16), I(0x15, 0, 1, 39), I(0x06, 0, 0, 0x7fff0000), I(0x06, 0, 0, 0),
        ];
        var text = Disassembler.Disassemble(p, Abi.X86_64);
        Assert.That(text, Does.Contain("\tjeq #getpid, L3\n"));
        Assert.That(text, Does.Contain("\tjne #39, L5\n"));
    }

    [Test]
    public void AfterTaxOrStoresAStillHoldsNr()
    {
        Instruction[] p = [I(0x20, 0, 0, 0), I(0x07, 0, 0, 0), I(0x02, 0, 0, 1), I(0x15, 0, 0, 172), I(0x06, 0, 0, 0)];
        Assert.That(Disassembler.Disassemble(p, Abi.Aarch64), Does.Contain("jeq #getpid, L4"));
        Instruction[] q = [I(0x20, 0, 0, 0), I(0x87, 0, 0, 0), I(0x15, 0, 0, 172), I(0x06, 0, 0, 0)];
        Assert.That(Disassembler.Disassemble(q, Abi.Aarch64), Does.Contain("jeq #172, L3"));
    }

    [TestCase(0x0000u, "#KILL_THREAD"), TestCase(0x80000000u, "#KILL_PROCESS"), TestCase(0x00030042u, "#TRAP(66)"),
     TestCase(0x7fc00000u, "#USER_NOTIF"), TestCase(0x7ff00007u, "#TRACE(7)"), TestCase(0x7ffc0000u, "#LOG"),
     TestCase(0x7fff0001u, "#ALLOW(1)"), TestCase(0x00010000u, "#0x10000"), TestCase(0x7ffd0000u, "#0x7ffd0000"),
     TestCase(5u, "#KILL_THREAD(5)")]
    public void ReturnValues(uint k, string operand) =>
        Assert.That(Disassembler.Disassemble([I(0x06, 0, 0, k)]), Is.EqualTo($"\tret {operand}\n"));

    [Test]
    public void WhatBpfAsmCannotSayIsWrittenRaw()
    {
        Instruction[] p =
        [
            I(0x21, 0, 0, 0x10),          // LDX|W|ABS: no bpf_asm form
            I(0x20, 1, 0, 0),             // a load with a stray jt
            I(0x16, 0, 0, 5),             // ret a with k set
            I(0x15, 9, 0, 1),             // jumps past the end
            I(0x05, 0, 0, 0xffffffff),    // ja past the end
            I(0x06, 0, 0, 0),
        ];
        Assert.That(Disassembler.Disassemble(p), Is.EqualTo(
            "\t.insn 0x21, 0, 0, 0x10\n\t.insn 0x20, 1, 0, 0x0\n\t.insn 0x16, 0, 0, 0x5\n" +
            "\t.insn 0x15, 9, 0, 0x1\n\t.insn 0x05, 0, 0, 0xffffffff\n\tret #KILL_THREAD\n"));
    }

    [Test]
    public void BpfAsmFormsForEveryOperation()
    {
        var text = """
            ld #7
            ld len
            ldx len
            ld #proto
            ldh #vlan_avail
            ldb [x + 3]
            ldh [12]
            ld M[15]
            ldx M[2]
            ldx #65536
            ldxb 4*([14]&0xf)
            st M[1]
            stx M[0]
            add #1
            mod x
            neg
            tax
            txa
            jset #4, next, skip
            next: jle x, skip
            jlt #3, skip
            jgt #2, skip
            skip: ret x
            """;
        var program = Assembler.Assemble(text);
        var round = Disassembler.Disassemble(program);
        Assert.That(Assembler.Assemble(round), Is.EqualTo(program));
        Assert.That(round, Does.Contain("ld #proto").And.Contain("ldh #vlan_avail")
            .And.Contain("ldb [x + 3]").And.Contain("ldxb 4*([14]&0xf)").And.Contain("\tjset #4, L19, L22\nL19:\tjle x, L22\n")
            .And.Contain("jle x, L22").And.Contain("jlt #3, L22").And.Contain("ldx #0x10000").And.Contain("ret x"));
    }

    [Test]
    public void EmptyProgramIsEmptyText() => Assert.That(Disassembler.Disassemble([]), Is.Empty);
}
