namespace Conformance.Machines.Protocol;

/// <summary>Decodes the observation log of an RSLT frame into typed records.</summary>
public static class ObservationDecoder
{
    public const int HeaderSize = 16;

    /// <param name="log">The observations.</param>
    /// <param name="baseOffset">Offset of the log inside the frame payload, for error messages.</param>
    public static List<Observation> Decode(ReadOnlySpan<byte> log, int baseOffset = 0)
    {
        var list = new List<Observation>();
        int off = 0;
        while (off < log.Length)
        {
            var head = new PayloadReader(log[off..], baseOffset + off);
            int len = head.U16("record length");
            if (len < HeaderSize || len % 8 != 0)
                throw new ProtocolDecodeException($"record length {len} is not a multiple of 8 of at least {HeaderSize}", baseOffset + off);
            if (off + len > log.Length)
                throw new ProtocolDecodeException($"record of {len} bytes runs past the log ({log.Length - off} left)", baseOffset + off);
            list.Add(DecodeOne(log.Slice(off, len), baseOffset + off));
            off += len;
        }
        return list;
    }

    /// <summary>Decodes one record (header and payload); the record may be padded past its payload.</summary>
    public static Observation DecodeOne(ReadOnlySpan<byte> record, int offset)
    {
        var r = new PayloadReader(record, offset);
        r.U16("record length");
        var kind = r.U8("kind");
        var flags = r.U8("flags");
        var step = r.U16("step id");
        r.U16("reserved");
        int pid = r.I32("pid"), tid = r.I32("tid");
        Observation o = (ObservationKind)kind switch
        {
            ObservationKind.Start => new StartObservation(step, pid, tid, r.I32("ppid"), r.U8("abi")),
            ObservationKind.Syscall => DecodeSyscall(ref r, step, pid, tid),
            ObservationKind.SigInfo => new SigInfoObservation(step, pid, tid, r.I32("signo"), r.I32("errno"), r.I32("code"),
                r.I32("pid"), r.U32("uid"), r.I32("syscall"), r.U32("arch"), r.U64("call_addr"), r.U64("ctx_ret"),
                r.U64("ctx_nr"), r.U64("ctx_ip")),
            ObservationKind.Join => new JoinObservation(step, pid, tid, r.I32("tid"), r.U8("done") != 0),
            ObservationKind.File => DecodeFile(ref r, step, pid, tid),
            ObservationKind.TraceStop => DecodeTraceStop(ref r, step, pid, tid),
            ObservationKind.TraceEnd => new TraceEndObservation(step, pid, tid, r.I32("status")),
            ObservationKind.Mark => new MarkObservation(step, pid, tid, r.U32("value")),
            ObservationKind.End => new EndObservation(step, pid, tid),
            ObservationKind.Timeout => new TimeoutObservation(step, pid, tid, (TimeoutWhat)r.U8("what")),
            ObservationKind.Error => new ErrorObservation(step, pid, tid, r.Str("message")),
            ObservationKind.Overflow => new OverflowObservation(step, pid, tid),
            ObservationKind.FuzzSetup => DecodeFuzzSetup(ref r, step, pid, tid),
            ObservationKind.FuzzStack => DecodeFuzzStack(ref r, step, pid, tid),
            ObservationKind.FuzzInput => DecodeFuzzInput(ref r, step, pid, tid),
            _ => throw new ProtocolDecodeException($"unknown observation kind {kind}", offset + 2),
        };
        return o with { Flags = flags };
    }

    static SyscallObservation DecodeSyscall(ref PayloadReader r, ushort step, int pid, int tid)
    {
        long ret = r.I64("ret");
        int n = r.U16("record byte count");
        return new SyscallObservation(step, pid, tid, ret, r.Bytes(n, "recorded bytes"));
    }

    static FileObservation DecodeFile(ref PayloadReader r, ushort step, int pid, int tid)
    {
        long ret = r.I64("ret");
        int n = checked((int)r.U32("file byte count"));
        return new FileObservation(step, pid, tid, ret, r.Bytes(n, "file bytes"));
    }

    static TraceStopObservation DecodeTraceStop(ref PayloadReader r, ushort step, int pid, int tid)
    {
        int status = r.I32("status"), ev = r.I32("event");
        ulong msg = r.U64("eventmsg");
        long nr = r.I64("nr"), ret = r.I64("ret");
        var args = new ulong[6];
        for (int i = 0; i < 6; i++) args[i] = r.U64($"args[{i}]");
        ulong ip = r.U64("ip");
        byte abi = r.U8("abi");
        int rerr = r.I32("response_errno");
        short index = r.I16("response_index");
        return new TraceStopObservation(step, pid, tid, status, ev, msg, nr, ret, args, ip, abi, rerr, index);
    }

    static FuzzSetupObservation DecodeFuzzSetup(ref PayloadReader r, ushort step, int pid, int tid)
    {
        var slots = new FuzzSlot[r.U8("slot_count")];
        for (int i = 0; i < slots.Length; i++) slots[i] = new FuzzSlot(r.U8("mapped") != 0, r.U64("ip"));
        var references = new long[r.U16("nr_count")];
        for (int i = 0; i < references.Length; i++) references[i] = r.I64("reference");
        return new FuzzSetupObservation(step, pid, tid, slots, references);
    }

    static FuzzStackObservation DecodeFuzzStack(ref PayloadReader r, ushort step, int pid, int tid)
    {
        ushort stack = r.U16("stack");
        var installs = new int[r.U8("filter_count")];
        r.Skip(1);
        for (int i = 0; i < installs.Length; i++) installs[i] = r.I32("install");
        return new FuzzStackObservation(step, pid, tid, stack, installs, r.U32("inputs_done"), r.U32("threads_died"),
            r.U32("processes_died"), r.U64("digest"));
    }

    static FuzzInputObservation DecodeFuzzInput(ref PayloadReader r, ushort step, int pid, int tid)
    {
        ushort stack = r.U16("stack");
        r.Skip(6);
        return new FuzzInputObservation(step, pid, tid, stack, FuzzInputRecord.Read(r.Span(FuzzInputRecord.Size, "input record")));
    }
}
