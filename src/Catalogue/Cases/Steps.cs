using Conformance.Model.Kernel;
using Conformance.Machines.Protocol;
using Conformance.Catalogue.Steps;

namespace Conformance.Catalogue.Cases;

/// <summary>
/// One step of a case as the author wrote it (after macros such as `nnp` or `install` were
/// expanded into the system call they stand for). Each step gets a step id when compiled; every
/// observation it makes carries that id back.
/// </summary>
public abstract record Step(SourcePosition Pos)
{
    public Expectation? Expect { get; init; }

    /// <summary>`save: name`: keep the step's result (return value, pid, tid, notification id).</summary>
    public string? Save { get; init; }

    /// <summary>`when:` on a step: it is only compiled (and judged) on machines where this holds.</summary>
    public Condition? When { get; init; }

    /// <summary>A short label for reports: "install deny_read", "call getppid", "fork".</summary>
    public abstract string Label { get; }

    /// <summary>The kind the author wrote, which knows how to compile, judge and write the step.</summary>
    public abstract StepKind Kind { get; }
}

/// <summary>What a successful call changes in the calling actor, as far as the model cares.</summary>
public abstract record CallEffect;
public sealed record SetsNoNewPrivs : CallEffect;
public sealed record SetsStrictMode : CallEffect;
public sealed record DropsCapabilities(ulong Mask, bool All) : CallEffect;
public sealed record ChangesUid(long Uid) : CallEffect;
public sealed record SetsCoreLimit(bool Enabled) : CallEffect;
public sealed record ClosesFd : CallEffect;
/// <summary>`pipe: [r, w]`: pipe2 into the scratch buffer; the two descriptors are saved under these names.</summary>
public sealed record OpensPipe(string ReadName, string WriteName) : CallEffect;

/// <summary>How an install step hands its filter to the kernel.</summary>
/// <summary>Auto: seccomp(2) where the kernel has it (3.17+), else prctl(PR_SET_SECCOMP).</summary>
public enum InstallVia { Auto, Seccomp, Prctl }

/// <summary>An `install:` step: the filter, the call that installs it, and the fprog's shape.</summary>
public sealed record InstallInfo(string Filter, InstallVia Via, uint Flags, IReadOnlyList<string> FlagNames, FilterPointer FilterPointer,
    RuntimeValueKind? FprogPointer, uint? Length) : CallEffect
{
    /// <summary>The call the install really makes on a kernel with or without seccomp(2).</summary>
    public InstallVia On(bool kernelHasSeccompSyscall) =>
        Via != InstallVia.Auto ? Via : kernelHasSeccompSyscall ? InstallVia.Seccomp : InstallVia.Prctl;
}

/// <summary>A system call, direct or from a macro.</summary>
public sealed record CallStep(SourcePosition Pos, string Name, ValueExpr Nr, IReadOnlyList<ValueExpr> Args) : Step(Pos)
{
    public bool Compat { get; init; }
    public ValueExpr? RecordAt { get; init; }
    public int RecordLength { get; init; }
    public Matcher? Allowed { get; init; }
    public CallEffect? Effect { get; init; }
    /// <summary>What is expected when the case says nothing (e.g. `nnp` must succeed).</summary>
    public Matcher? DefaultExpect { get; init; }
    /// <summary>How to read the recorded bytes (ptrace GET_FILTER, GET_METADATA, wait4 status, notifications).</summary>
    public RecordMeaning Meaning { get; init; }
    /// <summary>Values written into the scratch buffer right before the call (a struct the call takes).</summary>
    public IReadOnlyList<ScratchStore> Prepare { get; init; } = [];
    /// <summary>`call`, or the macro (nnp, install, ptrace, ...) that expanded into this call.</summary>
    public CallStepKind WrittenAs { get; init; } = StepKinds.Call;
    public override StepKind Kind => WrittenAs;
    public override string Label => Name;
}

public enum RecordMeaning { None, FilterProgram, FilterMetadata, Notification, WaitStatus }

/// <summary>A value the step stores at buf + Offset before its call.</summary>
public sealed record ScratchStore(uint Offset, int Width, ValueExpr Value);

public sealed record SigActionStep(SourcePosition Pos, int Signo, SignalDisposition Disposition) : Step(Pos)
{
    public override StepKind Kind => StepKinds.Signal;
    public override string Label => $"signal {KernelConstants.SignalName(Signo)} {Disposition}";
}

public sealed record SigMaskStep(SourcePosition Pos, SigMaskHow How, ulong Mask) : Step(Pos)
{
    public override StepKind Kind => How == SigMaskHow.Block ? StepKinds.Block : StepKinds.Unblock;
    public override string Label => $"{How.ToString().ToLowerInvariant()} signals";
}

public sealed record ForkStep(SourcePosition Pos, IReadOnlyList<Step> Body) : Step(Pos)
{
    public override StepKind Kind => StepKinds.Fork;
    public override string Label => "fork";
}

public sealed record ThreadStep(SourcePosition Pos, IReadOnlyList<Step> Body) : Step(Pos)
{
    public override StepKind Kind => StepKinds.Thread;
    public override string Label => "thread";
}

public sealed record ExecStep(SourcePosition Pos, IReadOnlyList<Step> Body, bool Compat) : Step(Pos)
{
    public override StepKind Kind => Compat ? StepKinds.Exec32 : StepKinds.Exec;
    public override string Label => Compat ? "exec32" : "exec";
}

public sealed record WaitStep(SourcePosition Pos, ValueExpr Target, long Options) : Step(Pos)
{
    public override StepKind Kind => StepKinds.Wait;
    public override string Label => $"wait {Target}";
}

public sealed record JoinStep(SourcePosition Pos, ValueExpr Tid, uint TimeoutMs) : Step(Pos)
{
    public override StepKind Kind => StepKinds.Join;
    public override string Label => $"join {Tid}";
}

public sealed record SetFlagStep(SourcePosition Pos, int Flag) : Step(Pos)
{
    public override StepKind Kind => StepKinds.SetFlag;
    public override string Label => $"set_flag {Flag}";
}

public sealed record WaitFlagStep(SourcePosition Pos, int Flag, uint TimeoutMs) : Step(Pos)
{
    public override StepKind Kind => StepKinds.WaitFlag;
    public override string Label => $"wait_flag {Flag}";
}

public sealed record SleepStep(SourcePosition Pos, uint Ms) : Step(Pos)
{
    public override StepKind Kind => StepKinds.Sleep;
    public override string Label => $"sleep {Ms} ms";
}

public sealed record ReadStep(SourcePosition Pos, string Path, uint MaxLength, bool NonBlock) : Step(Pos)
{
    public override StepKind Kind => StepKinds.Read;
    public override string Label => $"read {Path}";
}

/// <summary>Opens /dev/kmsg without blocking and moves to its end (saved as `kmsg` unless `save` says otherwise).</summary>
public sealed record KmsgMarkStep(SourcePosition Pos) : Step(Pos)
{
    public override StepKind Kind => StepKinds.KmsgMark;
    public override string Label => "kmsg_mark";
}

/// <summary>Reads /dev/kmsg records that arrived since the `kmsg_mark` that saved the descriptor.</summary>
public sealed record KmsgReadStep(SourcePosition Pos, ValueExpr Fd) : Step(Pos)
{
    /// <summary>`wait_ms`: how long to wait for the first record after the mark before reading (0: read at once).</summary>
    public uint WaitMs { get; init; }

    public override StepKind Kind => StepKinds.KmsgRead;
    public const int Reads = 64;
    public override string Label => "kmsg_read";
}

public sealed record MarkStep(SourcePosition Pos, uint Value) : Step(Pos)
{
    public override StepKind Kind => StepKinds.Mark;
    public override string Label => $"mark {Value}";
}

public sealed record ExitStep(SourcePosition Pos, int Code, bool Group) : Step(Pos)
{
    public override StepKind Kind => Group ? StepKinds.Exit : StepKinds.ExitThread;
    public override string Label => Group ? $"exit {Code}" : $"exit_thread {Code}";
}

/// <summary>A tracer loop and how to answer each seccomp stop.</summary>
public sealed record TraceStep(SourcePosition Pos, ValueExpr Tracee, TraceResume Resume, IReadOnlyList<TraceResponseSpec> Responses, int MaxStops) : Step(Pos)
{
    public override StepKind Kind => StepKinds.Trace;
    public override string Label => $"trace {Tracee}";
}

/// <summary>A response as written: syscall names in `redirect` resolve for the tracee's ABI.</summary>
public sealed record TraceResponseSpec(ValueExpr? RedirectTo, long? SkipWith, IReadOnlyList<(int Index, long Value)> SetArgs, TraceThen Then);

/// <summary>SECCOMP_IOCTL_NOTIF_RECV into the scratch buffer; `save` keeps the notification id.</summary>
public sealed record NotifRecvStep(SourcePosition Pos, ValueExpr Fd) : Step(Pos)
{
    public override StepKind Kind => StepKinds.NotifRecv;
    public override string Label => "notif_recv";
}

/// <summary>A step made of several agent steps that only moves data (set a saved name).</summary>
public sealed record SetStep(SourcePosition Pos, ValueExpr Value) : Step(Pos)
{
    public override StepKind Kind => StepKinds.Set;
    public override string Label => "set";
}
