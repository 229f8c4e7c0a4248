using Conformance.Machines.Protocol;
using Conformance.Model.Bpf;

namespace Conformance.Tests.Protocol;

public class ProgramBuilderTests
{
    [Test]
    public void A_small_program_encodes_byte_for_byte()
    {
        var p = new ProgramBuilder();
        p.AddFilter([Instruction.Stmt(Op.RET | Op.K, 0x7fff0000)]);
        p.AddBlob("ab"u8);
        p.Root(b => b
            .Syscall(1, 39, Dest.Reg(2), 5, Operand.Blob(0, 1))
            .Mark(2, 0x01020304)
            .Fork(3, Dest.None, c => c.Exit(4, 7)));

        byte[] expected =
        [
            0x43, 0x46, 0x50, 0x31,                         // "CFP1"
            0x01, 0x00,                                     // one filter
            0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x7f, // len 1: RET K 0x7fff0000
            0x01, 0x00,                                     // one blob
            0x02, 0x00, 0x00, 0x00, 0x61, 0x62,             // "ab"
            0x36, 0x00, 0x00, 0x00,                         // body length 54
            0x01, 0x01, 0x00, 0x00, 0x27, 0x00, 0x00, 0x00, // SYSCALL step 1, native, nr 39
            0x00, 0x05, 0, 0, 0, 0, 0, 0, 0,                // IMM 5
            0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,       // BLOB 0 + 1
            0x0b, 0x0b, 0x0b, 0x0b,                         // NULL x4
            0x02, 0x00, 0x00,                               // dest r2, record_len 0
            0x0f, 0x02, 0x00, 0x04, 0x03, 0x02, 0x01,       // MARK step 2
            0x04, 0x03, 0x00, 0xff, 0x08, 0x00, 0x00, 0x00, // FORK step 3, no dest, body of 8
            0x0a, 0x04, 0x00, 0x01, 0x07, 0x00, 0x00, 0x00, // EXIT step 4, exit_group(7)
        ];
        Assert.That(p.Build(), Is.EqualTo(expected));
    }

    [Test]
    public void Operands_encode_as_the_contract_table_says()
    {
        var p = new ProgramBuilder();
        p.AddFilter([Instruction.Stmt(Op.RET | Op.K, 0)]);
        p.Root(b => b.Syscall(1, 0, Operand.Reg(15), Operand.Shared(3), Operand.FProg(0, FProgPointer.Unmapped, 9),
            Operand.Scratch(0x100), Operand.RegPlus(1, -2), Operand.BadPtr));
        var bytes = p.Build();
        var body = bytes.AsSpan(4 + 2 + 2 + 8 + 2 + 4).ToArray();
        byte[] operands =
        [
            0x01, 0x0f,
            0x02, 0x03,
            0x04, 0x00, 0x00, 0x02, 0x09, 0x00, 0x00, 0x00,
            0x09, 0x00, 0x01, 0x00, 0x00,
            0x0a, 0x01, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x05,
        ];
        Assert.That(body.AsSpan(8, operands.Length).ToArray(), Is.EqualTo(operands));
        Assert.That(body[^3..], Is.EqualTo(new byte[] { 0xff, 0x00, 0x00 }));
    }

    [Test]
    public void Trace_responses_and_recording_calls_encode_their_fields()
    {
        var p = new ProgramBuilder();
        p.Root(b => b
            .TraceLoop(1, Operand.Reg(0), TraceResume.Syscall, 3, TraceResponse.Skip(-3), new TraceResponse([], TraceThen.Kill))
            .SyscallRecording(2, 16, Dest.Shared(1), Operand.Scratch(8), 80, 3));
        var body = p.Build().AsSpan(12).ToArray();
        byte[] trace =
        [
            0x0e, 0x01, 0x00, 0x01, 0x00, 0x01, 0x03, 0x00, 0x02,
            0x02, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,
            0x00, 0x01,
        ];
        Assert.That(body.AsSpan(0, trace.Length).ToArray(), Is.EqualTo(trace));
        var call = body.AsSpan(trace.Length).ToArray();
        Assert.That(call[^8..], Is.EqualTo(new byte[] { 0x11, 0x50, 0x00, 0x09, 0x08, 0x00, 0x00, 0x00 }), "dest s1, record 80 bytes at scratch+8");
    }

    [Test]
    public void Builder_rejects_what_the_agent_would()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Dest.Reg(16));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dest.Shared(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Operand.Reg(16));
        Assert.Throws<ArgumentOutOfRangeException>(() => Operand.Scratch(64 * 1024 + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TraceMod.Arg(6, 0));
        var b = new ProgramBuilder();
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Root(r => r.SetFlag(1, 32)));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Root(r => r.Store(1, 3, Operand.Scratch(), 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Root(r => r.Mark(Body.RootStep, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Root(r => r.SigAction(1, 65, SignalDisposition.Default)));
        Assert.Throws<ArgumentException>(() => b.Root(r => r.Syscall(1, 0, 1, 2, 3, 4, 5, 6, 7)));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Root(r => r.Call(1, 0, recordLength: 65535, recordAddress: Operand.Scratch())));
    }

    [Test]
    public void Build_checks_blob_and_filter_references()
    {
        var p = new ProgramBuilder();
        p.AddBlob("x"u8);
        p.Root(b => b.ReadFile(1, Operand.Blob(1), 10));
        Assert.That(() => p.Build(), Throws.InvalidOperationException.With.Message.Contains("blob 1"));

        var q = new ProgramBuilder();
        q.AddBlob("x"u8);
        q.Root(b => b.ReadFile(1, Operand.Blob(0, 2), 10));
        Assert.That(() => q.Build(), Throws.InvalidOperationException.With.Message.Contains("past blob 0"));

        var r = new ProgramBuilder();
        r.Root(b => b.Syscall(1, 157, 22, 2, Operand.FProg(0)));
        Assert.That(() => r.Build(), Throws.InvalidOperationException.With.Message.Contains("filter 0"));
    }

    [Test]
    public void Nested_bodies_deeper_than_the_agent_allows_are_refused()
    {
        var p = new ProgramBuilder();
        void Nest(Body b, int depth) { if (depth > 0) b.Repeat(1, 1, inner => Nest(inner, depth - 1)); }
        Assert.DoesNotThrow(() => p.Root(b => Nest(b, 64)));
        Assert.Throws<InvalidOperationException>(() => new ProgramBuilder().Root(b => Nest(b, 65)));
    }
}
