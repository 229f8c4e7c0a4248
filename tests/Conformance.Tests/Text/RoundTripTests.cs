using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Text;

namespace Conformance.Tests.Text;

/// <summary>Assemble(Disassemble(p)) == p for random programs, valid or not, with and without an ABI.</summary>
public class RoundTripTests
{
    // Every opcode bpf_asm can express, so random programs exercise the named forms as well as .insn.
    static readonly ushort[] Expressible =
    [
        0x00, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x60, 0x80, 0x01, 0x61, 0x81, 0xb1, 0x02, 0x03,
        0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c,
        0x84, 0x94, 0x9c, 0xa4, 0xac, 0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x06, 0x0e, 0x16, 0x07, 0x87,
    ];

    static readonly uint[] InterestingK =
    [
        0, 4, 8, 12, 16, 20, 24, 60, 64, 39, 172, 231, 0x40000027, 0xc000003e, 0x40000003, 0xc00000b7, 0x40000028,
        0x7fff0000, 0x00050001, 0x80000000, 0x7fc00000, 0x7ffc0000, 0x7ff00005, 0x00030042, 0xfffff000, 0xfffff030,
        0xfffff028, 0xffffffff, 0x0f0002, 15, 16,
    ];

    [TestCase(1), TestCase(2), TestCase(3), TestCase(4)]
    public void RandomProgramsRoundTrip(int seed)
    {
        var rng = new Random(seed);
        for (int n = 0; n < 1000; n++)
        {
            var program = RandomProgram(rng);
            Abi? abi = rng.Next(3) == 0 ? null : (Abi)rng.Next(5);
            var text = Disassembler.Disassemble(program, abi);
            Instruction[] back;
            try
            {
                // A different default ABI must not matter: the text carries its own .arch.
                back = Assembler.Assemble(text, new AssembleOptions { Abi = (Abi)rng.Next(5) });
            }
            catch (FilterSyntaxException e)
            {
                Assert.Fail($"seed {seed} program {n}: {e.Message}\n{text}");
                return;
            }
            Assert.That(back, Is.EqualTo(program), $"seed {seed} program {n}\n{text}");
        }
    }

    [Test]
    public void TheRandomProgramsUseTheNamedForms()
    {
        // Guards the test above against silently degenerating into .insn everywhere.
        var rng = new Random(1);
        var text = string.Concat(Enumerable.Range(0, 300).Select(_ => Disassembler.Disassemble(RandomProgram(rng), Abi.X86_64)));
        Assert.That(text, Does.Contain(".insn").And.Contain("jeq #").And.Contain("jne #").And.Contain("ld [nr]")
            .And.Contain("ret #ALLOW").And.Contain("#AUDIT_ARCH_").And.Contain("ja L").And.Contain("#getpid"));
    }

    [Test]
    public void WritersAndReadersRoundTripTheSamePrograms()
    {
        var rng = new Random(7);
        for (int n = 0; n < 500; n++)
        {
            var p = RandomProgram(rng);
            Assert.That(FilterFormats.Read(BinaryFilter.Write(p)), Is.EqualTo(p));
            Assert.That(FilterFormats.Read(Utf8(FilterWriter.ToCArray(p))), Is.EqualTo(p));
            Assert.That(FilterFormats.Read(Utf8(FilterWriter.ToCArray(p, "filter"))), Is.EqualTo(p));
            Assert.That(FilterFormats.Read(Utf8(FilterWriter.ToComma(p))), Is.EqualTo(p));
            Assert.That(FilterFormats.Read(Utf8(FilterWriter.ToDdd(p))), Is.EqualTo(p));
            Assert.That(FilterFormats.Read(Utf8(Disassembler.Disassemble(p, Abi.Aarch64))), Is.EqualTo(p));
        }
    }

    static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    static Instruction[] RandomProgram(Random rng)
    {
        int length = rng.Next(1, rng.Next(2) == 0 ? 12 : 300);
        var p = new Instruction[length];
        for (int i = 0; i < length; i++)
        {
            ushort code = rng.Next(10) switch
            {
                0 => (ushort)rng.Next(0x100),
                1 => (ushort)rng.Next(0x10000),
                2 or 3 => (ushort)0x20,
                _ => Expressible[rng.Next(Expressible.Length)],
            };
            // The seccomp idiom, so names after ld [nr] / ld [arch] get exercised.
            bool idiom = i > 0 && p[i - 1] is { Code: 0x20, K: 0 or 4 } && rng.Next(2) == 0;
            if (idiom)
                code = 0x15;
            bool jump = Op.ClassOf(code) == Op.JMP;
            byte jt = jump || rng.Next(20) == 0 ? SmallByte(rng, length - i) : (byte)0;
            byte jf = jump || rng.Next(20) == 0 ? SmallByte(rng, length - i) : (byte)0;
            uint k = rng.Next(4) switch
            {
                0 => (uint)rng.NextInt64(0, 1L << 32),
                1 => (uint)rng.Next(64),
                _ => InterestingK[rng.Next(InterestingK.Length)],
            };
            if (idiom)
                k = p[i - 1].K == 4 ? InterestingK[rng.Next(13, 17)] : InterestingK[rng.Next(9, 13)];
            if (code == 0x05 && rng.Next(4) != 0)
                k = (uint)rng.Next(Math.Max(1, length - i + 2));
            if (rng.Next(3) == 0 && (code & 0x08) != 0)
                k = 0;
            p[i] = new Instruction(code, jt, jf, k);
        }
        return p;
    }

    /// <summary>Mostly in-range offsets so labels appear, sometimes out of range or zero.</summary>
    static byte SmallByte(Random rng, int remaining) => rng.Next(6) switch
    {
        0 => 0,
        1 => (byte)rng.Next(256),
        _ => (byte)rng.Next(Math.Min(256, Math.Max(1, remaining))),
    };
}
