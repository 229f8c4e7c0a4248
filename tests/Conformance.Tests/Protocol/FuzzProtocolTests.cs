using System.Buffers.Binary;
using Conformance.Machines.Protocol;
using Conformance.Model.Bpf;

namespace Conformance.Tests.Protocol;

/// <summary>FUZZ's host side without an agent: the step's encoding and checks, the input rule, the record and its digest, the decoder.</summary>
public class FuzzProtocolTests
{
    static readonly ulong[] Args = [1, 2, 3, 4, 5, 6];

    [Test]
    public void Splitmix64_gives_the_reference_sequence()
    {
        var g = new SplitMix64(0);
        Assert.That(new[] { g.Next(), g.Next(), g.Next() }, Is.EqualTo(new ulong[] { 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f }));
    }

    [Test]
    public void The_seeded_rule_draws_in_the_documented_order()
    {
        int[] nrs = [10, 11, 12];
        ulong[] pool = [100, 200];
        var input = FuzzInputs.Seeded(7, 1, nrs, pool, 2, _ => true).Single();

        // The rule, spelt out once more with the generator alone.
        var g = new SplitMix64(7);
        int nr = nrs[g.Pick(3)];
        var args = new ulong[6];
        for (int a = 0; a < 6; a++)
        {
            uint m = g.Pick(4);
            if (m == 0) args[a] = pool[g.Pick(2)];
            else if (m == 1) args[a] = g.Next();
            else if (m == 2) args[a] = g.Pick(4);
            else
            {
                ulong v = pool[g.Pick(2)];
                args[a] = v ^ (1UL << (int)g.Pick(64));
            }
        }
        byte slot = (byte)g.Pick(3);
        Assert.That(input, Is.EqualTo(new FuzzInput(0, nr, args, slot)));
    }

    [Test]
    public void An_unmapped_slot_falls_back_to_zero()
    {
        var inputs = FuzzInputs.Seeded(3, 500, [1], [0], 3, s => s != 2);
        Assert.That(inputs.Select(i => i.Slot).Distinct().Order(), Is.EqualTo(new byte[] { 0, 1, 3 }));
        Assert.That(inputs.Select(i => i.Index), Is.EqualTo(Enumerable.Range(0, 500).Select(i => (uint)i)));
    }

    [Test]
    public void A_record_is_written_at_the_documented_offsets_and_reads_back()
    {
        var r = new FuzzInputRecord(7, FuzzOutcome.SigsysCaught, 3, 401, 31, 401, 5, 1, 0x10000002, 401, 0xc000003e, Args);
        var b = r.ToBytes();

        Assert.That(b, Has.Length.EqualTo(96));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(b), Is.EqualTo(7u));
        Assert.That((b[4], b[5], b[6], b[7]), Is.EqualTo(((byte)2, (byte)3, (byte)0, (byte)0)));
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(8)), Is.EqualTo(401));
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(12)), Is.EqualTo(31));
        Assert.That(BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(16)), Is.EqualTo(401));
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(24)), Is.EqualTo(5));
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(28)), Is.EqualTo(1));
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(32)), Is.EqualTo(0x10000002ul));
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(40)), Is.EqualTo(401));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(44)), Is.EqualTo(0xc000003eu));
        Assert.That(Enumerable.Range(0, 6).Select(a => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(48 + 8 * a))), Is.EqualTo(Args));
        Assert.That(FuzzInputRecord.Read(b), Is.EqualTo(r));
        Assert.That(r.Input, Is.EqualTo(new FuzzInput(7, 401, Args, 3)));
    }

    [Test]
    public void The_factories_leave_the_fields_of_other_outcomes_zero()
    {
        var input = new FuzzInput(1, 39, Args, 0);
        Assert.That(FuzzInputRecord.Returned(input, -38), Is.EqualTo(new FuzzInputRecord(1, FuzzOutcome.Returned, 0, 39, 0, -38, 0, 0, 0, 0, 0, Args)));
        Assert.That(FuzzInputRecord.ThreadDied(input), Is.EqualTo(new FuzzInputRecord(1, FuzzOutcome.ThreadDied, 0, 39, 0, 0, 0, 0, 0, 0, 0, Args)));
        Assert.That(FuzzInputRecord.ProcessDied(input, 31), Is.EqualTo(new FuzzInputRecord(1, FuzzOutcome.ProcessDied, 0, 39, 31, 0, 0, 0, 0, 0, 0, Args)));
        Assert.That(FuzzInputRecord.SigsysCaught(input, 39, 2, 1, 0x401000, 39, 0xc000003e),
            Is.EqualTo(new FuzzInputRecord(1, FuzzOutcome.SigsysCaught, 0, 39, 31, 39, 2, 1, 0x401000, 39, 0xc000003e, Args)));
    }

    [Test]
    public void The_digest_is_fnv1a_64_over_the_records_in_order()
    {
        var a = FuzzInputRecord.Returned(new FuzzInput(0, 39, Args, 0), 5);
        var b = FuzzInputRecord.ThreadDied(new FuzzInput(1, 40, Args, 1));
        ulong h = 0xcbf29ce484222325;
        foreach (var x in a.ToBytes().Concat(b.ToBytes())) h = (h ^ x) * 0x100000001b3;

        Assert.That(FuzzDigest.Of([]), Is.EqualTo(0xcbf29ce484222325ul));
        Assert.That(FuzzDigest.Of([a, b]), Is.EqualTo(h));
        Assert.That(FuzzDigest.Of([b, a]), Is.Not.EqualTo(h));
    }

    [Test]
    public void The_step_encodes_as_the_contract_says()
    {
        var step = new FuzzStep(FuzzFlags.Detail | FuzzFlags.Prctl, [39], [7], [0x10000002],
        [
            FuzzStack.Seeded([0], 0x1122334455667788, 5),
            FuzzStack.Explicit([0, 0], [new FuzzInput(99, 40, Args, 1)]),
        ]);
        var p = new ProgramBuilder();
        p.AddFilter([Instruction.Stmt(Op.RET | Op.K, 0x7fff0000)]);
        p.Root(b => b.Fuzz(9, step));
        var bytes = p.Build();

        var w = new PayloadWriter();
        w.U8(0x13).U16(9).U8(3).U16(1).U32(39).U16(1).U64(7).U8(1).U64(0x10000002).U16(2);
        w.U8(1).U16(0).U8(0).U64(0x1122334455667788).U32(5);
        w.U8(2).U16(0).U16(0).U8(1).U16(1).U32(40);
        foreach (var a in Args) w.U64(a);
        w.U8(1);
        var body = w.ToArray();
        Assert.That(bytes[^body.Length..], Is.EqualTo(body));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - body.Length - 4)), Is.EqualTo((uint)body.Length));
        Assert.That(step.Stacks[1].Inputs![0].Index, Is.Zero, "an explicit input's index is its position");
    }

    [Test]
    public void The_step_checks_the_ranges_the_agent_checks()
    {
        var one = FuzzStack.Seeded([0], 1, 1);
        Assert.Throws<ArgumentException>(() => new FuzzStep(FuzzFlags.None, [], [0], [], [one]));
        Assert.Throws<ArgumentException>(() => new FuzzStep(FuzzFlags.None, [.. Enumerable.Range(0, 257)], [0], [], [one]));
        Assert.Throws<ArgumentException>(() => new FuzzStep(FuzzFlags.None, [1], [], [], [one]));
        Assert.Throws<ArgumentException>(() => new FuzzStep(FuzzFlags.None, [1], [0], [1, 2, 3, 4, 5, 6, 7, 8], [one]));
        Assert.Throws<ArgumentException>(() => new FuzzStep(FuzzFlags.None, [1], [0], [], []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FuzzStep((FuzzFlags)64, [1], [0], [], [one]));
        Assert.Throws<ArgumentException>(() => new FuzzStep(FuzzFlags.None, [1], [0], [0x10000002],
            [FuzzStack.Explicit([0], [new FuzzInput(0, 1, Args, 2)])]), "slot 2 of a step with one placed slot");
        Assert.Throws<ArgumentException>(() => FuzzStack.Seeded([], 1, 1));
        Assert.Throws<ArgumentException>(() => FuzzStack.Seeded([0, 0, 0, 0, 0, 0, 0, 0, 0], 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => FuzzStack.Seeded([0], 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FuzzStack.Seeded([0], 1, 65537));
        Assert.Throws<ArgumentException>(() => FuzzStack.Explicit([0], []));

        var p = new ProgramBuilder();
        p.AddFilter([Instruction.Stmt(Op.RET | Op.K, 0x7fff0000)]);
        p.Root(b => b.Fuzz(1, FuzzFlags.None, [1], [0], [], FuzzStack.Seeded([1], 1, 1)));
        Assert.That(() => p.Build(), Throws.InvalidOperationException.With.Message.Contains("filter 1"));
    }

    [Test]
    public void A_traced_record_has_flag_bit_2_and_the_event_message_in_si_errnos_place()
    {
        var input = new FuzzInput(2, 402, Args, 1);
        // The agent's bytes for a call resumed after a seccomp stop with message 0xffff that then returned -ENOSYS.
        var b = FuzzInputRecord.Returned(input, -38).ToBytes();
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(6), 4);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(24), 0xffff);
        var r = FuzzInputRecord.Read(b);
        Assert.That((r.Kind, r.Flags, r.TraceMessage, r.Value, r.SiCode), Is.EqualTo((FuzzOutcome.Returned, FuzzInputRecord.TracedFlag, (int?)0xffff, -38L, 0)));
        Assert.That(FuzzInputRecord.Returned(input, -38).AfterTraceStop(0xffff).ToBytes(), Is.EqualTo(b), "the model's side writes the same bytes");

        var zero = FuzzInputRecord.Returned(input, -38).AfterTraceStop(0);
        Assert.That((zero.TraceMessage, zero.ToBytes()[6]), Is.EqualTo(((int?)0, (byte)4)), "message 0: the flag still says there was a stop");
        Assert.That(FuzzInputRecord.Returned(input, -38).TraceMessage, Is.Null, "no flag, no message");

        // SIGSYS after the stop: si_errno stays the signal's, the flag joins the restart bit. A death keeps only the flag.
        var sigsys = (FuzzInputRecord.SigsysCaught(input, 402, 3, 1, 0x1000, 402, 0xc000003e) with { Flags = FuzzInputRecord.RestartFlag }).AfterTraceStop(7);
        Assert.That((sigsys.Flags, sigsys.SiErrno, sigsys.TraceMessage), Is.EqualTo(((ushort)5, 3, (int?)null)));
        var died = FuzzInputRecord.ThreadDied(input).AfterTraceStop(7).ToBytes();
        Assert.That((died[6], BinaryPrimitives.ReadInt32LittleEndian(died.AsSpan(24))), Is.EqualTo(((byte)4, 0)));

        // Through FUZZ_INPUT, and the step's flag bit.
        var o = ObservationDecoder.Decode(Record(15, w => w.U16(0).U16(0).U32(0).Bytes(b)));
        Assert.That(((FuzzInputObservation)o[0]).Record.TraceMessage, Is.EqualTo(0xffff));
        Assert.That((byte)FuzzFlags.Tracer, Is.EqualTo(32));
        var p = new ProgramBuilder();
        p.AddFilter([Instruction.Stmt(Op.RET | Op.K, 0x7fff0000)]);
        p.Root(x => x.Fuzz(1, FuzzFlags.Tracer | FuzzFlags.Listener, [39], [7], [], FuzzStack.Seeded([0], 1, 1)));
        var bytes = p.Build();
        var body = new PayloadWriter().U8(0x13).U16(1).U8(0x30).U16(1).U32(39).ToArray();
        Assert.That(bytes.AsSpan().IndexOf(body), Is.GreaterThan(0), "the flags byte is 0x30");
    }

    [Test]
    public void The_three_fuzz_observations_decode()
    {
        var input = new FuzzInputRecord(4, FuzzOutcome.ProcessDied, 1, 401, 31, 0, 0, 0, 0, 0, 0, Args);
        var log = new List<byte>();
        log.AddRange(Record(13, w =>
        {
            w.U8(2).U8(1).U64(0x401000).U8(0).U64(0x1000);
            w.U16(2).I64(-38).I64(0);
        }));
        log.AddRange(Record(14, w => w.U16(3).U8(2).U8(0).I32(0).I32(-22).U32(10).U32(1).U32(2).U64(0xdeadbeefcafe)));
        log.AddRange(Record(15, w => w.U16(3).U16(0).U32(0).Bytes(input.ToBytes())));

        var o = ObservationDecoder.Decode(log.ToArray());

        var setup = (FuzzSetupObservation)o[0];
        Assert.That(setup.Slots, Is.EqualTo(new[] { new FuzzSlot(true, 0x401000), new FuzzSlot(false, 0x1000) }));
        Assert.That(setup.References, Is.EqualTo(new long[] { -38, 0 }));
        Assert.That((setup.IsMapped(0), setup.IsMapped(1), setup.IsMapped(2)), Is.EqualTo((true, false, false)));
        var stack = (FuzzStackObservation)o[1];
        Assert.That((stack.Stack, stack.InputsDone, stack.ThreadsDied, stack.ProcessesDied, stack.Digest),
            Is.EqualTo(((ushort)3, 10u, 1u, 2u, 0xdeadbeefcafeul)));
        Assert.That(stack.Installs, Is.EqualTo(new[] { 0, -22 }));
        var rec = (FuzzInputObservation)o[2];
        Assert.That((rec.Stack, rec.Record), Is.EqualTo(((ushort)3, input)));
    }

    static byte[] Record(byte kind, Action<PayloadWriter> payload)
    {
        var body = new PayloadWriter();
        payload(body);
        int len = (16 + body.Length + 7) / 8 * 8;
        var w = new PayloadWriter();
        w.U16((ushort)len).U8(kind).U8(0).U16(1).U16(0).I32(100).I32(100).Bytes(body.ToArray());
        while (w.Length < len) w.U8(0);
        return w.ToArray();
    }
}
