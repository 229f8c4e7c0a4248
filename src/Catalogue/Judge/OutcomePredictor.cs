using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Executor.Features;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using Conformance.Model.Task;

namespace Conformance.Catalogue.Judge;

/// <summary>
/// Asks the model (<see cref="SeccompSyscall"/>, <see cref="SeccompInstall"/>) about a case's
/// steps and turns its typed answers into what an actor must observe. It holds no kernel rule:
/// it maps catalogue steps to model requests and model outcomes to matchers.
/// </summary>
public sealed class OutcomePredictor(CompiledCase compiled, KernelFeatures features, KernelProfile profile, bool caseTraces)
{
    readonly KernelDescription _kernel = KernelDescriptions.Of(features, profile);

    public Prediction PredictCall(CallStep call, StepInfo info, ActorState actor)
    {
        call = info.Made ?? call;
        if (info.Nr is not { } nr)
            return Prediction.Unknown("the call's number is not known");

        // The judge does not follow ptrace attachments: any trace step in the case stands for a seccomp tracer.
        var task = actor.Task with { SeccompTracer = caseTraces };
        var outcome = SeccompSyscall.Decide(task, _kernel, Query(call, info, actor, nr));
        var why = $"model: {outcome.Reason}";
        return outcome switch
        {
            // Seccomp lets the call run: what it does is the call's own business.
            CallRuns when call.Effect is InstallInfo install => PredictInstall(install, info.Abi, task),
            // Without `allowed:` the call must succeed (docs/cases.md); a case states a call that legitimately fails.
            CallRuns runs => new Prediction(call.Allowed ?? Succeeds, $"allowed: {runs.Reason}"),
            ReturnsErrno e => new Prediction(new Matcher { Ret = Exact(-e.Errno) }, why),
            SigsysHandled h => new Prediction(new Matcher
            {
                Trap = new TrapMatch(h.Info.Errno, new IntValue(h.Info.Syscall), h.Info.Arch, h.Info.Code, ReturnValue(h.Info, info.Abi)),
            }, why),
            ProcessKilled k => new Prediction(new Matcher { Killed = k.Signal }, why, Kills: true),
            ThreadKilled => new Prediction(new Matcher { ThreadKilled = true }, why, Kills: true, KillsThreadOnly: true),
            TraceStop => Prediction.Unknown($"{outcome.Reason}: the case must state what the tracer does"),
            UserNotification => Prediction.Unknown($"{outcome.Reason}: the case must state what the supervisor answers"),
            CannotSay c => Prediction.Unknown($"{outcome.Reason} ({UnknownExpression(call, c.Field)}); state the expectation"),
            LinuxRejectsFilter => Prediction.Unknown(outcome.Reason),
            _ => Prediction.Unknown($"no prediction for {outcome.GetType().Name}"),
        };
    }

    /// <summary>The call as seccomp_data will show it; what the host cannot know yet stays null.</summary>
    static SyscallQuery Query(CallStep call, StepInfo info, ActorState actor, int nr)
    {
        var args = new ulong?[SyscallQuery.MaxArgs];
        for (int i = 0; i < args.Length; i++)
            args[i] = i < call.Args.Count ? ArgValue(call.Args[i], actor, info.Abi, call.Compat) : 0;
        return new SyscallQuery(info.Abi, nr, args, InstructionPointer: null);
    }

    static string UnknownExpression(CallStep call, SeccompField field) =>
        field == SeccompField.InstructionPointer ? "the model is never told the address of a call"
            : ((int)field - (int)SeccompField.Arg0) / 8 is var i && i < call.Args.Count ? call.Args[i].ToString()! : "?";

    /// <summary>The handler's view of the return register, as a matcher for the recorded value.</summary>
    static ValueMatch? ReturnValue(SigsysInfo info, Abi abi)
    {
        if (info.ReturnValue is not { } value)
            return null;
        long expect = (long)value;
        if (info.Register == RollbackRegister.SyscallNumber)
            return new ValueMatch($"{expect} (the syscall number: rax = orig_rax)", (x, _) => x == expect);
        // A 32-bit register may come back sign-extended.
        return new ValueMatch($"{expect} (the first argument: x0 = orig_x0)", (x, _) => x == expect || (abi == Abi.Arm && (uint)x == (uint)expect));
    }

    Prediction PredictInstall(InstallInfo install, Abi abi, TaskState task)
    {
        var outcome = SeccompInstall.Decide(task, _kernel, Request(install, abi));
        return outcome.Result switch
        {
            InstallResult.Refused => new Prediction(new Matcher { Ret = Exact(-outcome.Errno) }, $"model: {Errnos.Name(outcome.Errno)}: {outcome.Reason}"),
            InstallResult.ReturnsListenerFd => new Prediction(new Matcher { Ret = new ValueMatch(">=0 (a listener fd)", (x, _) => x >= 0) }, $"model: {outcome.Reason}"),
            InstallResult.DependsOnOtherThreads => Prediction.Unknown($"{outcome.Reason}; state the expectation"),
            _ => new Prediction(new Matcher { Ret = Exact(0) }, $"model: {outcome.Reason}"),
        };
    }

    /// <summary>An install step as the model's request: the call the agent makes here, and the fprog it passes.</summary>
    public InstallRequest Request(InstallInfo install, Abi abi)
    {
        // The compiler places a filter only where a readable fprog points at it.
        var program = compiled.Filters.TryGetValue((install.Filter, abi), out var placed) ? placed : [];
        return new InstallRequest(
            install.On(features.Has("seccomp_syscall")) == InstallVia.Seccomp ? InstallCall.Seccomp : InstallCall.Prctl,
            (SeccompFilterFlags)install.Flags,
            install.FprogPointer switch
            {
                RuntimeValueKind.Null => UserPointer.Null,
                RuntimeValueKind.Bad => UserPointer.Unmapped,
                _ => UserPointer.Readable,
            },
            install.FilterPointer switch
            {
                FilterPointer.Null => UserPointer.Null,
                FilterPointer.Bad => UserPointer.Unmapped,
                _ => UserPointer.Readable,
            },
            // The agent ends the instructions at an unmapped guard page.
            (int)(install.Length ?? (uint)program.Length),
            program);
    }

    static readonly Matcher Succeeds = new() { Ret = new ValueMatch(">=0 (the call succeeds)", (x, _) => x >= 0) };

    static ValueMatch Exact(long v) => new(v.ToString(), (x, _) => x == v);

    /// <summary>The value of an argument as the filter sees it (<see cref="ArgumentRegisters"/>), if the host knows it.</summary>
    public static ulong? ArgValue(ValueExpr arg, ActorState actor, Abi abi, bool fromNative64 = false) => arg switch
    {
        IntValue i => Truncate((ulong)i.Value, abi, fromNative64),
        SyscallNameValue n => Model.Syscalls.SyscallTable.TryGetNumber(abi, n.Name, out var nr) ? (ulong)nr : null,
        RuntimeValue { Kind: RuntimeValueKind.Pid } => (ulong)actor.Pid,
        RuntimeValue { Kind: RuntimeValueKind.Tid } => (ulong)actor.Tid,
        RuntimeValue { Kind: RuntimeValueKind.Ppid } => (ulong)actor.Ppid,
        SavedValue s when actor.Saved.TryGetValue(s.Name, out var v) => Truncate((ulong)(v + s.Add), abi, fromNative64),
        _ => arg.Known,
    };

    static ulong Truncate(ulong v, Abi abi, bool fromNative64) => ArgumentRegisters.AsSeen(v, abi, fromNative64);
}
