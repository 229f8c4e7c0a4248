using System.Text;

namespace Conformance.Machines.Protocol;

/// <summary>Observation kinds (docs/agent-protocol.md §3, Observations).</summary>
public enum ObservationKind : byte
{
    Start = 1, Syscall = 2, SigInfo = 3, Join = 4, File = 5, TraceStop = 6, TraceEnd = 7, Mark = 8,
    End = 9, Timeout = 10, Error = 11, Overflow = 12, FuzzSetup = 13, FuzzStack = 14, FuzzInput = 15,
}

/// <summary>
/// What one actor saw, exactly as the agent recorded it. StepId is the step that recorded it
/// (0xffff for the case root's START and END); Pid and Tid are the recording actor's.
/// </summary>
public abstract record Observation(ushort StepId, int Pid, int Tid)
{
    public abstract ObservationKind Kind { get; }
    /// <summary>Record flags; bit 0: recorded inside the recording signal handler.</summary>
    public byte Flags { get; init; }
}

/// <summary>An actor began: the case root, a FORK child, a THREAD, or an EXEC'd image.</summary>
public sealed record StartObservation(ushort StepId, int Pid, int Tid, int Ppid, byte Abi) : Observation(StepId, Pid, Tid)
{
    public override ObservationKind Kind => ObservationKind.Start;
}

/// <summary>A system call's raw return (negative errno on failure) and the bytes it asked to record.</summary>
public sealed record SyscallObservation(ushort StepId, int Pid, int Tid, long Ret, byte[] Recorded) : Observation(StepId, Pid, Tid)
{
    public override ObservationKind Kind => ObservationKind.Syscall;

    /// <summary>Made inside the recording signal handler (record flags bit 0), not by the step itself.</summary>
    public bool FromHandler => (Flags & 1) != 0;

    public bool Failed => Ret is < 0 and >= -4095;
    public int Errno => Failed ? (int)-Ret : 0;
}

/// <summary>
/// What the recording handler saw: every siginfo field the contract keeps (the pid/uid and the
/// SIGSYS call_addr/syscall/arch views overlap in the kernel's union; both are given raw) and
/// the interrupted context's return, number and instruction-pointer registers.
/// </summary>
public sealed record SigInfoObservation(
    ushort StepId, int Pid, int Tid, int Signo, int Errno, int Code, int SenderPid, uint SenderUid,
    int Syscall, uint Arch, ulong CallAddr, ulong ContextRet, ulong ContextNr, ulong ContextIp) : Observation(StepId, Pid, Tid)
{
    public override ObservationKind Kind => ObservationKind.SigInfo;
}

public sealed record JoinObservation(ushort StepId, int Pid, int Tid, int JoinedTid, bool Done) : Observation(StepId, Pid, Tid)
{
    public override ObservationKind Kind => ObservationKind.Join;
}

/// <summary>READ_FILE: bytes read (or a negative errno of open/read) and the content.</summary>
public sealed record FileObservation(ushort StepId, int Pid, int Tid, long Ret, byte[] Content) : Observation(StepId, Pid, Tid)
{
    public override ObservationKind Kind => ObservationKind.File;
    public string Text => Encoding.UTF8.GetString(Content);
}

/// <summary>One ptrace stop seen by TRACE_LOOP, with the tracee's syscall registers.</summary>
public sealed record TraceStopObservation(
    ushort StepId, int Pid, int Tid, int Status, int Event, ulong EventMsg, long Nr, long Ret,
    IReadOnlyList<ulong> Args, ulong Ip, byte Abi, int ResponseErrno, short ResponseIndex) : Observation(StepId, Pid, Tid)
{
    public override ObservationKind Kind => ObservationKind.TraceStop;
    public const int PtraceEventSeccomp = 7;
    public bool IsSeccompStop => Event == PtraceEventSeccomp;
    public WaitStatus WaitStatus => new(Status);
}

public sealed record TraceEndObservation(ushort StepId, int Pid, int Tid, int Status) : Observation(StepId, Pid, Tid)
{
    public override ObservationKind Kind => ObservationKind.TraceEnd;
    public WaitStatus WaitStatus => new(Status);
}

public sealed record MarkObservation(ushort StepId, int Pid, int Tid, uint Value) : Observation(StepId, Pid, Tid)
{
    public override ObservationKind Kind => ObservationKind.Mark;
}

public sealed record EndObservation(ushort StepId, int Pid, int Tid) : Observation(StepId, Pid, Tid)
{
    public override ObservationKind Kind => ObservationKind.End;
}

public enum TimeoutWhat : byte { Flag = 0, Join = 1 }

public sealed record TimeoutObservation(ushort StepId, int Pid, int Tid, TimeoutWhat What) : Observation(StepId, Pid, Tid)
{
    public override ObservationKind Kind => ObservationKind.Timeout;
}

/// <summary>The agent could not do what a step asked (malformed program, no thread slot, ...).</summary>
public sealed record ErrorObservation(ushort StepId, int Pid, int Tid, string Message) : Observation(StepId, Pid, Tid)
{
    public override ObservationKind Kind => ObservationKind.Error;
}

/// <summary>The case's log was full; later records were dropped.</summary>
public sealed record OverflowObservation(ushort StepId, int Pid, int Tid) : Observation(StepId, Pid, Tid)
{
    public override ObservationKind Kind => ObservationKind.Overflow;
}

/// <summary>A wait(2) status word, decoded as the W* macros do.</summary>
public readonly record struct WaitStatus(int Raw)
{
    public bool Exited => (Raw & 0x7f) == 0;
    public int ExitCode => (Raw >> 8) & 0xff;
    public bool Signaled => (Raw & 0x7f) != 0 && (Raw & 0x7f) != 0x7f;
    public int TermSignal => Raw & 0x7f;
    public bool CoreDumped => Signaled && (Raw & 0x80) != 0;
    public bool Stopped => (Raw & 0xff) == 0x7f;
    public int StopSignal => (Raw >> 8) & 0xff;
    /// <summary>The PTRACE_EVENT_* of a ptrace event stop (status >> 16).</summary>
    public int Event => (Raw >> 16) & 0xff;

    public override string ToString() =>
        Raw == -1 ? "none" : Exited ? $"exited {ExitCode}" : Signaled ? $"killed by signal {TermSignal}{(CoreDumped ? " (core)" : "")}"
        : Stopped ? $"stopped by {StopSignal}{(Event != 0 ? $" event {Event}" : "")}" : $"status 0x{Raw:x}";
}
