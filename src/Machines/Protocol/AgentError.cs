namespace Conformance.Machines.Protocol;

/// <summary>What an ERRR frame is about (src/Native/agent.h, enum agent_error). The host acts on these, never on the text.</summary>
public enum AgentErrorCode : uint
{
    /// <summary>A host frame failed the agent's checks; the host sends it again.</summary>
    CorruptFrame = 1,
    /// <summary>RSND for a guest frame the agent no longer holds.</summary>
    FrameNotHeld = 2,
    /// <summary>A PING or RSND with the wrong payload size.</summary>
    MalformedFrame = 3,
    /// <summary>A frame type the agent does not take.</summary>
    UnexpectedFrame = 4,
    /// <summary>A RUNB or RUNZ whose framing is wrong, or larger than the agent takes; nothing of it ran.</summary>
    BatchRejected = 5,
    /// <summary>The agent could not allocate room for a batch; nothing of it ran.</summary>
    OutOfMemory = 6,
}

/// <summary>An ERRR frame: a protocol-level error the agent reports and then carries on from.</summary>
/// <param name="Message">For people (logs, fault summaries) only.</param>
public sealed record AgentError(AgentErrorCode Code, string Message)
{
    public static AgentError Decode(ReadOnlySpan<byte> payload)
    {
        var r = new PayloadReader(payload);
        var error = new AgentError((AgentErrorCode)r.U32("code"), r.Str("message"));
        if (r.Remaining != 0) throw new ProtocolDecodeException($"{r.Remaining} bytes after the ERRR fields", r.Offset);
        return error;
    }
}
