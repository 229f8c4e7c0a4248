namespace Conformance.Machines.Protocol;

/// <summary>What the agent said when it became ready (the HELO frame).</summary>
public sealed record Hello(
    uint Protocol, uint Flags, string AgentVersion, string Machine, string Release, string Version,
    int Pid, ulong BootTimeNs, IReadOnlyList<string> Helpers)
{
    public bool IsInit => (Flags & 1) != 0;

    /// <summary>The agent inflates RUNZ frames (a RUNB payload compressed with raw DEFLATE).</summary>
    public bool TakesCompressedBatches => (Flags & 2) != 0;

    /// <summary>The agent sends a result as RSLZ (RSLT compressed with raw DEFLATE) when that is shorter.</summary>
    public bool SendsCompressedResults => (Flags & 4) != 0;

    /// <summary>The agent speaks on its virtio serial port, not on the serial console: the host writes there too.</summary>
    public bool SpeaksOnPort => (Flags & 8) != 0;

    public static Hello Decode(ReadOnlySpan<byte> payload)
    {
        var r = new PayloadReader(payload);
        var h = new Hello(r.U32("protocol"), r.U32("flags"), r.Str("agent_version"), r.Str("machine"), r.Str("release"),
            r.Str("version"), r.I32("pid"), r.U64("boottime_ns"),
            r.Str("helpers").Split(',', StringSplitOptions.RemoveEmptyEntries));
        if (r.Remaining != 0) throw new ProtocolDecodeException($"{r.Remaining} bytes after the HELO fields", r.Offset);
        return h;
    }
}

/// <summary>One case for the agent: an encoded case program (docs/agent-protocol.md §3).</summary>
public sealed record CaseRequest(uint CaseId, TimeSpan Timeout, byte[] Program);

/// <summary>One case's observations as the agent reported them (the RSLT frame).</summary>
public sealed record CaseResult(
    uint CaseId, bool TimedOut, bool Overflowed, bool AgentError, int RootStatus, TimeSpan Elapsed,
    IReadOnlyList<Observation> Observations)
{
    /// <summary>The case root's wait status (Raw == -1 when it was never reaped).</summary>
    public WaitStatus Root => new(RootStatus);

    public IEnumerable<T> Of<T>() where T : Observation => Observations.OfType<T>();

    /// <summary>The single SYSCALL observation of a step (throws if there is none or several).</summary>
    public SyscallObservation Call(ushort step) => Of<SyscallObservation>().Single(o => o.StepId == step);
}

/// <summary>An RSLT frame's fields.</summary>
public sealed record ResultFrame(uint BatchId, CaseResult Result)
{
    public static ResultFrame Decode(ReadOnlySpan<byte> payload)
    {
        var r = new PayloadReader(payload);
        uint batch = r.U32("batch_id"), caseId = r.U32("case_id"), flags = r.U32("flags");
        int root = r.I32("root_status");
        uint elapsed = r.U32("elapsed_us");
        int obsLen = checked((int)r.U32("obs_len"));
        int at = r.Offset;
        var log = r.Span(obsLen, "observations");
        if (r.Remaining != 0) throw new ProtocolDecodeException($"{r.Remaining} bytes after the observations", r.Offset);
        var observations = ObservationDecoder.Decode(log, at);
        return new ResultFrame(batch, new CaseResult(caseId, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, root,
            TimeSpan.FromTicks(elapsed * 10L), observations));
    }
}

/// <summary>Encodes a RUNB payload.</summary>
public static class BatchEncoder
{
    public static byte[] Encode(uint batchId, IReadOnlyList<CaseRequest> cases)
    {
        var w = new PayloadWriter();
        w.U32(batchId).U32((uint)cases.Count);
        foreach (var c in cases)
        {
            var ms = Math.Clamp(c.Timeout.TotalMilliseconds, 0, uint.MaxValue);
            w.U32(c.CaseId).U32((uint)Math.Ceiling(ms)).U32((uint)c.Program.Length).Bytes(c.Program);
        }
        return w.ToArray();
    }

    public static int EncodedSize(CaseRequest c) => 12 + c.Program.Length;
}
