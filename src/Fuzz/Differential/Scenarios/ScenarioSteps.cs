namespace Conformance.Fuzzing;

/// <summary>
/// One step of a scenario: a catalogue step kind (its <see cref="Keyword"/>) with just what the
/// generator chose. <see cref="Bundle"/> ties steps that only make sense together (a fork and its
/// wait, a flag set and the wait for it, a notification and its answer): the shrinker drops a bundle
/// whole, and a step with bundle 0 alone.
/// </summary>
public abstract record ScenarioStep
{
    /// <summary>Unique within the scenario (the shrinker names steps by it).</summary>
    public int Id { get; init; }

    /// <summary>0: the step may be dropped alone; otherwise every step of the bundle goes together.</summary>
    public int Bundle { get; init; }

    public Judging Judge { get; init; } = Judging.Model;

    /// <summary>Why the step is observed rather than judged (written as a comment), or what it is for.</summary>
    public string? Note { get; init; }

    /// <summary>The deliberate interleaving this step is part of.</summary>
    public Interleavings Interleaving { get; init; }

    public abstract string Keyword { get; }

    /// <summary>The steps of the actor a fork, thread or exec step starts.</summary>
    public virtual IReadOnlyList<ScenarioStep> Body => [];

    /// <summary>The same step with other nested steps (fork, thread and exec only).</summary>
    public virtual ScenarioStep WithBody(IReadOnlyList<ScenarioStep> body) => this;
}

/// <summary>What a call is for, beyond being a call: the protocol steps the safety rules know about.</summary>
public enum CallRole
{
    Plain,
    /// <summary>The call a supervisor is waiting for: its filter certainly notifies the listener.</summary>
    Notify,
    /// <summary>The call a tracer holds in its seccomp stop (the first stop after the tracer seized the actor).</summary>
    HeldStop,
}

/// <summary>`call: NAME|NUMBER` with `args`, `abi: compat` (int $0x80) and what it returns when it runs.</summary>
public sealed record ScCall(string? Name, int Nr, IReadOnlyList<string> Args, bool Compat, string Allowed) : ScenarioStep
{
    public CallRole Role { get; init; }
    public override string Keyword => "call";
}

public sealed record ScNnp : ScenarioStep
{
    public override string Keyword => "nnp";
}

/// <summary>`install: FILTER` with `flags` (and `save` for a listener fd).</summary>
public sealed record ScInstall(string Filter, IReadOnlyList<string> Flags, string? Save) : ScenarioStep
{
    /// <summary>prctl instead of seccomp(2) (only without flags).</summary>
    public bool ViaPrctl { get; init; }

    /// <summary>A broken `struct sock_fprog` (`null`, `bad`, `filter-null`, `filter-bad`, `len=N`): nothing is attached.</summary>
    public string? Fprog { get; init; }
    public override string Keyword => "install";
}

/// <summary>`drop_caps: [..]` or `drop_caps: all` (Caps null).</summary>
public sealed record ScDropCaps(IReadOnlyList<string>? Caps) : ScenarioStep
{
    public override string Keyword => "drop_caps";
}

public sealed record ScSetuid(int Uid) : ScenarioStep
{
    public override string Keyword => "setuid";
}

public sealed record ScRlimitCore : ScenarioStep
{
    public override string Keyword => "rlimit_core";
}

/// <summary>`signal: {SIGSYS: handler|ignore|default}`.</summary>
public sealed record ScSignal(string Disposition) : ScenarioStep
{
    public override string Keyword => "signal";
}

/// <summary>`block: [SIGSYS]` / `unblock: [SIGSYS]`.</summary>
public sealed record ScSigMask(bool Block) : ScenarioStep
{
    public override string Keyword => Block ? "block" : "unblock";
}

public sealed record ScMark(int Value) : ScenarioStep
{
    public override string Keyword => "mark";
}

public sealed record ScExit(int Code) : ScenarioStep
{
    public override string Keyword => "exit";
}

public sealed record ScFork(IReadOnlyList<ScenarioStep> Steps, string Save) : ScenarioStep
{
    public override string Keyword => "fork";
    public override IReadOnlyList<ScenarioStep> Body => Steps;
    public override ScenarioStep WithBody(IReadOnlyList<ScenarioStep> body) => this with { Steps = body };
}

public sealed record ScThread(IReadOnlyList<ScenarioStep> Steps, string Save) : ScenarioStep
{
    public override string Keyword => "thread";
    public override IReadOnlyList<ScenarioStep> Body => Steps;
    public override ScenarioStep WithBody(IReadOnlyList<ScenarioStep> body) => this with { Steps = body };
}

/// <summary>`exec:` (the agent again) or `exec32:` (the 32-bit helper), then the steps.</summary>
public sealed record ScExec(IReadOnlyList<ScenarioStep> Steps, bool Compat) : ScenarioStep
{
    public override string Keyword => Compat ? "exec32" : "exec";
    public override IReadOnlyList<ScenarioStep> Body => Steps;
    public override ScenarioStep WithBody(IReadOnlyList<ScenarioStep> body) => this with { Steps = body };
}

public sealed record ScWait(string Target) : ScenarioStep
{
    public override string Keyword => "wait";
}

public sealed record ScJoin(string Target) : ScenarioStep
{
    public override string Keyword => "join";
}

public sealed record ScSetFlag(int Flag) : ScenarioStep
{
    public override string Keyword => "set_flag";
}

public sealed record ScWaitFlag(int Flag) : ScenarioStep
{
    /// <summary>The tracee's wait for its tracer: from here on it is seized, and its TRACE stops are the trace loop's.</summary>
    public bool Seized { get; init; }
    public override string Keyword => "wait_flag";
}

/// <summary>`ptrace: REQUEST` `pid: $x` (`options` for SEIZE).</summary>
public sealed record ScPtrace(string Request, string Pid, IReadOnlyList<string> Options) : ScenarioStep
{
    public override string Keyword => "ptrace";
}

/// <summary>`trace: $x` with `resume` and `responses` (no stop limit).</summary>
public sealed record ScTrace(string Target, bool ResumeSyscall, IReadOnlyList<TraceReply> Replies) : ScenarioStep
{
    public override string Keyword => "trace";
}

/// <summary>A tracer's answer to one seccomp stop: change the call, then continue, kill or detach.</summary>
public sealed record TraceReply(string? Redirect, long? Skip, (int Index, long Value)? SetArg, string Then)
{
    public bool Kills => Then == "kill";
    public bool Detaches => Then == "detach";
}

public sealed record ScNotifRecv(string Fd, string Save) : ScenarioStep
{
    public override string Keyword => "notif_recv";
}

/// <summary>`notif_send`: a value, an error (positive errno, sent negated) or CONTINUE.</summary>
public sealed record ScNotifSend(string Fd, string NotifId, long Val, int Error, bool Continue) : ScenarioStep
{
    public override string Keyword => "notif_send";
}

public sealed record ScNotifAddfd(string Fd, string NotifId, string SrcFd, int NewFd, bool SetFd, bool Send, bool Cloexec) : ScenarioStep
{
    public override string Keyword => "notif_addfd";
}

public sealed record ScNotifIdValid(string Fd, string NotifId) : ScenarioStep
{
    public override string Keyword => "notif_id_valid";
}

public sealed record ScClose(string Fd) : ScenarioStep
{
    public override string Keyword => "close";
}

/// <summary>
/// `read:` of the actor's own seccomp_cache listing with `max: 32768` and `expect: {cache: model}`:
/// the kernel's action-cache bitmaps held against the model's (a CONFIG_SECCOMP_CACHE_DEBUG kernel,
/// feature `cache_debug`). A thread reads <see cref="ThreadFile"/>; /proc/self is the leader's.
/// </summary>
public sealed record ScCacheRead(string Path) : ScenarioStep
{
    public const string ProcessFile = Catalogue.Cases.CacheMatch.ProcessFile, ThreadFile = Catalogue.Cases.CacheMatch.ThreadFile;

    /// <summary>A listing of two arches is about 15 KB; a read that fills its max is a failure (it may be cut off).</summary>
    public const int MaxLength = 32768;

    public override string Keyword => "read";
}
