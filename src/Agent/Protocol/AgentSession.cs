using Conformance.Agent.Machines;
using Microsoft.Extensions.Logging;

namespace Conformance.Agent.Protocol;

// CONTRACT STUB: the public surface the machines (host, QEMU) and the runners code against.
// The protocol implementation fills in the bodies; keep these signatures.

/// <summary>What the agent said when it became ready (the HELO frame).</summary>
public sealed record Hello(
    uint Protocol, uint Flags, string AgentVersion, string Machine, string Release, string Version,
    int Pid, ulong BootTimeNs, IReadOnlyList<string> Helpers)
{
    public bool IsInit => (Flags & 1) != 0;
}

/// <summary>One case for the agent: an encoded case program (docs/agent-protocol.md §3).</summary>
public sealed record CaseRequest(uint CaseId, TimeSpan Timeout, byte[] Program);

/// <summary>A talk with one running agent over a pair of byte streams.</summary>
public sealed class AgentSession : IAsyncDisposable
{
    /// <summary>
    /// Reads from <paramref name="fromGuest"/> until the agent's HELO arrives. Text outside frames
    /// (kernel console output) goes to <paramref name="onConsoleText"/> as it arrives, for the whole
    /// life of the session.
    /// </summary>
    public static Task<AgentSession> ConnectAsync(
        Stream fromGuest, Stream toGuest, Action<string> onConsoleText, TimeSpan helloTimeout,
        ILogger logger, CancellationToken cancellationToken) => throw new NotImplementedException();

    public Hello Hello => throw new NotImplementedException();

    /// <summary>Time from session creation (machine start) to HELO.</summary>
    public TimeSpan ReadyAfter => throw new NotImplementedException();

    /// <summary>
    /// Runs a batch; yields each case's result as it arrives. A case gets its timeout plus a grace
    /// period; past that the session reports a Hang fault. After <see cref="Abort"/> or a fault,
    /// throws <see cref="MachineFaultException"/>; results already yielded stay valid.
    /// </summary>
    public IAsyncEnumerable<CaseResult> RunAsync(IReadOnlyList<CaseRequest> cases, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    public Task<bool> PingAsync(TimeSpan timeout, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Asks the agent to exit (host) or reboot the guest (VM).</summary>
    public Task QuitAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>The machine under the session failed: wake any pending RunAsync with this fault.</summary>
    public void Abort(MachineFault fault) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>One case's observations as the agent reported them (the RSLT frame).</summary>
public sealed record CaseResult(
    uint CaseId, bool TimedOut, bool Overflowed, bool AgentError, int RootStatus, TimeSpan Elapsed,
    IReadOnlyList<Observation> Observations);

/// <summary>Placeholder; the protocol implementation defines the observation kinds.</summary>
public abstract record Observation(ushort StepId, int Pid, int Tid);
