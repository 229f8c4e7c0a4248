using Conformance.Machines.Protocol;

namespace Conformance.Machines;

/// <summary>
/// A kernel with the agent running on it: the host kernel (agent as a child process) or a QEMU
/// guest. A machine is booted once and serves many batches; when it crashes or hangs it is
/// disposed and a new one is started.
/// </summary>
public interface IMachine : IAsyncDisposable
{
    /// <summary>Names the machine in messages and reports, e.g. "qemu/x86_64/6.1.0-56-cloud-amd64".</summary>
    string Name { get; }

    /// <summary>"x86_64" or "aarch64".</summary>
    string Arch { get; }

    /// <summary>Starts the machine and waits for the agent's HELO.</summary>
    Task<AgentSession> StartAsync(CancellationToken cancellationToken);

    /// <summary>Everything the machine printed outside agent frames (kernel console), so far.</summary>
    string ConsoleText { get; }

    /// <summary>Set once a kernel crash, hang or unexpected exit has been detected.</summary>
    MachineFault? Fault { get; }

    /// <summary>From the machine's start (QEMU's launch, the host agent's spawn) to the agent's HELO; null until then.</summary>
    TimeSpan? BootTime { get; }
}

public enum FaultKind { Panic, Oops, Bug, Warning, UnexpectedReboot, UnexpectedExit, Hang, BootTimeout, ProtocolError }

/// <summary>What went wrong with a machine, with the console lines around it.</summary>
public sealed record MachineFault(FaultKind Kind, string Summary, string Excerpt);

/// <summary>Thrown by a session when its machine faulted under it.</summary>
public sealed class MachineFaultException(MachineFault fault)
    : Exception($"{fault.Kind}: {fault.Summary}")
{
    public MachineFault Fault { get; } = fault;
}
