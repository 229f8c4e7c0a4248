using Conformance.Model.Seccomp;

namespace Conformance.Model.Task;

/// <summary>
/// What the kernel does with one system call of a task. Each kind is its own type; match on the
/// type and its fields. <see cref="Reason"/> is for people only.
/// </summary>
public abstract record SyscallOutcome(string Reason)
{
    /// <summary>The filters' verdict behind the outcome (the winning filter, action and data), when filters ran.</summary>
    public Verdict? Verdict { get; init; }
}

/// <summary>Why seccomp lets a call run; what the call then does is its own business.</summary>
public enum RunsBecause
{
    NoFilter,
    /// <summary>This kernel runs no filter for the call (the uprobe bypass).</summary>
    Bypassed,
    Allowed,
    Logged,
    /// <summary>One of the four calls strict mode permits.</summary>
    StrictModeList,
    /// <summary>A tracer resumed the call from its seccomp stop: TRACE again on the recheck (4.8+), or a kernel that does not recheck.</summary>
    TracerResumed,
}

public sealed record CallRuns(RunsBecause Because, string Reason) : SyscallOutcome(Reason);

/// <summary>The call does not run and returns -<see cref="Errno"/>.</summary>
public sealed record ReturnsErrno(int Errno, string Reason) : SyscallOutcome(Reason);

/// <summary>TRAP: SIGSYS reaches the task's handler with this siginfo; the call does not run.</summary>
public sealed record SigsysHandled(SigsysInfo Info, string Reason) : SyscallOutcome(Reason);

/// <summary>The whole process dies by <see cref="Signal"/>.</summary>
public sealed record ProcessKilled(int Signal, string Reason) : SyscallOutcome(Reason);

/// <summary>Only the calling thread dies (by <see cref="Signal"/>); the process lives on in its other threads.</summary>
public sealed record ThreadKilled(int Signal, string Reason) : SyscallOutcome(Reason);

/// <summary>TRACE under a seccomp tracer: a PTRACE_EVENT_SECCOMP stop with this event message; the rest is the tracer's choice.</summary>
public sealed record TraceStop(ushort EventMessage, string Reason) : SyscallOutcome(Reason);

/// <summary>The tracer set a negative number at the seccomp stop: the call is skipped and returns what the tracer left in the return register.</summary>
public sealed record SkippedByTracer(string Reason) : SyscallOutcome(Reason);

/// <summary>USER_NOTIF: filter #<see cref="Filter"/>'s listener gets the call; what it returns is the supervisor's answer.</summary>
public sealed record UserNotification(int Filter, string Reason) : SyscallOutcome(Reason);

/// <summary>A filter loads <see cref="Field"/>, which the caller does not know: the model cannot say.</summary>
public sealed record CannotSay(SeccompField Field, string Reason) : SyscallOutcome(Reason);

/// <summary>
/// Filter #<see cref="Filter"/> is one Linux rejects (<see cref="Check"/> names the rule and
/// instruction) that the kernel under test attached anyway: Linux gives it no behaviour to compare with.
/// </summary>
public sealed record LinuxRejectsFilter(int Filter, CheckResult Check, string Reason) : SyscallOutcome(Reason);
