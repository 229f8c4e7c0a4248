using Conformance.Machines.Protocol;

namespace Conformance.Tests.Protocol;

public class ObservationDecoderTests
{
    static byte[] Record(byte kind, ushort step, int pid, int tid, Action<PayloadWriter> payload, int padTo = 0, byte flags = 0)
    {
        var body = new PayloadWriter();
        payload(body);
        int len = (16 + body.Length + 7) / 8 * 8;
        if (padTo > len) len = padTo;
        var w = new PayloadWriter();
        w.U16((ushort)len).U8(kind).U8(flags).U16(step).U16(0).I32(pid).I32(tid).Bytes(body.ToArray());
        while (w.Length < len) w.U8(0);
        return w.ToArray();
    }

    [Test]
    public void Decodes_every_field_of_hand_built_records()
    {
        var log = new List<byte>();
        log.AddRange(Record(1, 0xffff, 100, 100, w => w.I32(99).U8(0)));
        log.AddRange(Record(2, 7, 100, 101, w => w.I64(-38).U16(3).Bytes([9, 8, 7])));
        log.AddRange(Record(3, 8, 100, 100, w => w.I32(31).I32(42).I32(1).I32(0x1000).U32(0).I32(39).U32(0xc000003e)
            .U64(0x401234).U64(39).U64(39).U64(0x401232), flags: 1));
        log.AddRange(Record(4, 9, 100, 100, w => w.I32(101).U8(1)));
        log.AddRange(Record(5, 10, 100, 100, w => w.I64(5).U32(5).Bytes("hello"u8), padTo: 256));
        log.AddRange(Record(6, 11, 100, 100, w =>
        {
            w.I32(0x7057f).I32(7).U64(0x1234).I64(39).I64(-38);
            for (int i = 0; i < 6; i++) w.U64((ulong)i + 1);
            w.U64(0x401000).U8(0).I32(0).I16(0);
        }));
        log.AddRange(Record(7, 11, 100, 100, w => w.I32(0)));
        log.AddRange(Record(8, 12, 100, 100, w => w.U32(0xdeadbeef)));
        log.AddRange(Record(10, 13, 100, 100, w => w.U8(1)));
        log.AddRange(Record(11, 14, 100, 100, w => w.Str("no thread")));
        log.AddRange(Record(9, 0xffff, 100, 100, _ => { }));
        log.AddRange(Record(12, 0, 1, 1, _ => { }));

        var o = ObservationDecoder.Decode(log.ToArray());

        Assert.That(o.Select(x => x.Kind), Is.EqualTo(new[]
        {
            ObservationKind.Start, ObservationKind.Syscall, ObservationKind.SigInfo, ObservationKind.Join, ObservationKind.File,
            ObservationKind.TraceStop, ObservationKind.TraceEnd, ObservationKind.Mark, ObservationKind.Timeout,
            ObservationKind.Error, ObservationKind.End, ObservationKind.Overflow,
        }));
        Assert.That(o[0], Is.EqualTo(new StartObservation(0xffff, 100, 100, 99, 0)));
        var call = (SyscallObservation)o[1];
        Assert.That((call.StepId, call.Tid, call.Ret, call.Errno), Is.EqualTo(((ushort)7, 101, -38L, 38)));
        Assert.That(call.Recorded, Is.EqualTo(new byte[] { 9, 8, 7 }));
        Assert.That(o[2], Is.EqualTo(new SigInfoObservation(8, 100, 100, 31, 42, 1, 0x1000, 0, 39, 0xc000003e, 0x401234, 39, 39, 0x401232) { Flags = 1 }));
        Assert.That(o[3], Is.EqualTo(new JoinObservation(9, 100, 100, 101, true)));
        Assert.That(((FileObservation)o[4]).Text, Is.EqualTo("hello"), "padding after the content is ignored");
        var stop = (TraceStopObservation)o[5];
        Assert.That((stop.Status, stop.Event, stop.EventMsg, stop.Nr, stop.Ret, stop.Ip), Is.EqualTo((0x7057f, 7, 0x1234ul, 39L, -38L, 0x401000ul)));
        Assert.That(stop.Args, Is.EqualTo(new ulong[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That((stop.IsSeccompStop, stop.WaitStatus.Stopped, stop.WaitStatus.StopSignal, stop.ResponseIndex), Is.EqualTo((true, true, 5, (short)0)));
        Assert.That(((TraceEndObservation)o[6]).WaitStatus.Exited, Is.True);
        Assert.That(((MarkObservation)o[7]).Value, Is.EqualTo(0xdeadbeefu));
        Assert.That(((TimeoutObservation)o[8]).What, Is.EqualTo(TimeoutWhat.Join));
        Assert.That(((ErrorObservation)o[9]).Message, Is.EqualTo("no thread"));
    }

    [Test]
    public void A_record_running_past_the_log_names_its_offset()
    {
        var log = Record(8, 1, 1, 1, w => w.U32(1)).Concat(Record(2, 2, 1, 1, w => w.I64(0).U16(0))).ToArray();
        var cut = log[..^8];
        var e = Assert.Throws<ProtocolDecodeException>(() => ObservationDecoder.Decode(cut, baseOffset: 24));
        Assert.That(e!.Offset, Is.EqualTo(24 + 24));
        Assert.That(e.Message, Does.Contain("at byte 48"));
    }

    [Test]
    public void Unknown_kinds_and_bad_lengths_are_decode_errors()
    {
        var unknown = Record(99, 1, 1, 1, _ => { });
        Assert.That(Assert.Throws<ProtocolDecodeException>(() => ObservationDecoder.Decode(unknown))!.Message, Does.Contain("unknown observation kind 99"));
        var bad = Record(9, 1, 1, 1, _ => { });
        bad[0] = 12;
        Assert.That(Assert.Throws<ProtocolDecodeException>(() => ObservationDecoder.Decode(bad))!.Message, Does.Contain("multiple of 8"));
        var shortSyscall = Record(2, 1, 1, 1, w => w.I64(0).U16(200));
        Assert.That(Assert.Throws<ProtocolDecodeException>(() => ObservationDecoder.Decode(shortSyscall))!.Message, Does.Contain("recorded bytes"));
    }

    [Test]
    public void A_result_frame_decodes_its_header_and_log()
    {
        var log = Record(8, 3, 5, 5, w => w.U32(77));
        var w = new PayloadWriter();
        w.U32(4).U32(17).U32(1 | 4).I32(0x9).U32(1500).U32((uint)log.Length).Bytes(log);
        var r = ResultFrame.Decode(w.ToArray());
        Assert.That(r.BatchId, Is.EqualTo(4u));
        var c = r.Result;
        Assert.That((c.CaseId, c.TimedOut, c.Overflowed, c.AgentError, c.Root.Signaled, c.Root.TermSignal), Is.EqualTo((17u, true, false, true, true, 9)));
        Assert.That(c.Elapsed, Is.EqualTo(TimeSpan.FromMilliseconds(1.5)));
        Assert.That(c.Of<MarkObservation>().Single().Value, Is.EqualTo(77u));
    }
}
