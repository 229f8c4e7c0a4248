using Conformance.Machines.Protocol;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Executor.Features;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Judge;

/// <summary>
/// Turns the reference model's verdicts into what an actor must observe: the errno of an install,
/// and for a system call the effect of the winning action given the actor's signal, thread and
/// tracer state. Pure: the same inputs always give the same prediction.
/// </summary>
public sealed class OutcomePredictor(CompiledCase compiled, KernelFeatures features, KernelProfile profile, bool caseTraces)
{
    public Prediction PredictCall(CallStep call, StepInfo info, ActorState actor)
    {
        call = info.Made ?? call;
        if (info.Nr is not { } nr)
            return Prediction.Unknown("the call's number is not known");

        if (actor.Mode == SECCOMP_MODE_STRICT)
            return StrictMode(call, nr, info.Abi);

        var seccomp = SeccompVerdict(call, info, actor, nr);
        if (seccomp.Matcher is null && !seccomp.Why.StartsWith("allowed", StringComparison.Ordinal))
            return seccomp;
        if (seccomp.Matcher is not null)
            return seccomp;

        // Seccomp lets the call run: what it does is the call's own business.
        if (call.Effect is InstallInfo install)
            return PredictInstall(install, info.Abi, actor, seccomp.Why);
        return new Prediction(call.Allowed ?? new Matcher { Any = true }, seccomp.Why);
    }

    /// <summary>The filter chain's verdict turned into an outcome; Matcher null with "allowed..." means the call runs.</summary>
    Prediction SeccompVerdict(CallStep call, StepInfo info, ActorState actor, int nr)
    {
        if (actor.Chain.Count == 0)
            return new Prediction(null, "allowed: no filter attached");

        var programs = actor.Chain.Filters.Select(f => f.Original).ToList();
        var args = new ulong[6];
        for (int i = 0; i < 6; i++)
        {
            ulong? known = i < call.Args.Count ? ArgValue(call.Args[i], actor, info.Abi, call.Compat) : 0;
            if (known is null && FilterReads.Reads(programs, 16 + 8 * (uint)i))
                return Prediction.Unknown($"a filter reads args[{i}], which is only known at run time ({call.Args[i]}); state the expectation");
            args[i] = known ?? 0;
        }
        if (FilterReads.Reads(programs, 8))
            return Prediction.Unknown("a filter reads the instruction pointer, which the model does not know; state the expectation");

        var data = new SeccompData(nr, AuditArch.Of(info.Abi), 0, args);
        var verdict = actor.Chain.Evaluate(data);
        var who = verdict.Filter >= 0 ? $" from filter #{verdict.Filter}" : "";
        var what = $"{SeccompRet.Name(verdict.Action)}({verdict.Data}){who}";
        switch (verdict.Action)
        {
            case SeccompAction.Allow:
            case SeccompAction.Log:
                return new Prediction(null, $"allowed: {what}");
            case SeccompAction.Errno:
                return new Prediction(new Matcher { Ret = Exact(-verdict.Data) }, $"model: {what}");
            case SeccompAction.Trap:
                if (actor.SigsysDisposition == SignalDisposition.RecordingHandler && !actor.SigsysBlocked)
                    return new Prediction(new Matcher
                    {
                        Trap = new TrapMatch(verdict.Data, new IntValue(nr), AuditArch.Of(info.Abi), SYS_SECCOMP, RollbackValue(call, info, nr, actor)),
                    }, $"model: {what} delivered to the handler");
                return new Prediction(new Matcher { Killed = SIGSYS }, $"model: {what} with SIGSYS {(actor.SigsysBlocked ? "blocked" : actor.SigsysDisposition.ToString().ToLowerInvariant())}: the process dies", Kills: true);
            case SeccompAction.KillThread:
                // signal->live > 1: any thread of a multi-threaded process, the main thread included, dies alone.
                if (actor.Process.LiveThreads > 1)
                    return new Prediction(new Matcher { ThreadKilled = true }, $"model: {what}: only this thread dies", Kills: true, KillsThreadOnly: true);
                return new Prediction(new Matcher { Killed = SIGSYS }, $"model: {what}: the last thread, so the process dies", Kills: true);
            case SeccompAction.KillProcess:
                return new Prediction(new Matcher { Killed = SIGSYS }, $"model: {what}", Kills: true);
            case SeccompAction.Trace:
                return caseTraces
                    ? Prediction.Unknown($"{what} under a tracer: the case must state what the tracer does")
                    : new Prediction(new Matcher { Ret = Exact(-Errnos.ENOSYS) }, $"model: {what} with no tracer: ENOSYS");
            case SeccompAction.UserNotif:
                var match = verdict.Filter;
                bool listener = match >= 0 && match < actor.FilterFlags.Count && (actor.FilterFlags[match].Flags & 8) != 0 && actor.FilterFlags[match].ListenerOpen;
                return listener
                    ? Prediction.Unknown($"{what} with a listener: the case must state what the supervisor answers")
                    : new Prediction(new Matcher { Ret = Exact(-Errnos.ENOSYS) }, $"model: {what} with no listener: ENOSYS");
            default:
                return Prediction.Unknown($"unexpected action {verdict.Action}");
        }
    }

    /// <summary>After a trap the handler sees the rolled-back registers: x86 rax = orig_rax (the number), arm x0/r0 = the first argument.</summary>
    ValueMatch? RollbackValue(CallStep call, StepInfo info, int nr, ActorState actor)
    {
        if (info.Abi is Abi.X86_64 or Abi.I386 or Abi.X32)
            return new ValueMatch($"{nr} (the syscall number: rax = orig_rax)", (x, _) => x == nr);
        var arg0 = call.Args.Count > 0 ? ArgValue(call.Args[0], actor, info.Abi, call.Compat) : 0;
        if (arg0 is null) return null;
        long expect = info.Abi == Abi.Arm ? (long)(uint)arg0.Value : (long)arg0.Value;
        return new ValueMatch($"{expect} (the first argument: x0 = orig_x0)", (x, _) => x == expect || (info.Abi == Abi.Arm && (uint)x == (uint)expect));
    }

    static Prediction StrictMode(CallStep call, int nr, Abi abi)
    {
        string[] allowed = abi is Abi.X86_64 ? ["read", "write", "exit", "rt_sigreturn"] : ["read", "write", "exit", "sigreturn", "rt_sigreturn"];
        var name = Model.Syscalls.SyscallTable.NameOf(abi, nr);
        // Strict mode lets the call run: what it returns is the call's own business, as under ALLOW.
        if (name is not null && allowed.Contains(name))
            return new Prediction(call.Allowed ?? new Matcher { Any = true }, $"allowed by strict mode ({name})");
        return new Prediction(new Matcher { Killed = SIGKILL }, $"strict mode kills on {name ?? nr.ToString()}", Kills: true);
    }

    /// <summary>seccomp_set_mode_filter's checks in the kernel's order, for the actor's state and the kernel's profile.</summary>
    Prediction PredictInstall(InstallInfo install, Abi abi, ActorState actor, string seccompWhy)
    {
        Prediction Fail(int errno, string why) => new(new Matcher { Ret = Exact(-errno) }, $"model: {Errnos.Name(errno)}: {why}");

        if (install.On(features.Has("seccomp_syscall")) == InstallVia.Seccomp)
        {
            if (features.SeccompNullErrno == Errnos.ENOSYS)
                return Fail(Errnos.ENOSYS, "this kernel has no seccomp(2)");
            var unknown = install.FlagNames.Where(f => !features.FilterFlags.Contains(f)).ToList();
            if (unknown.Count > 0)
                return Fail(Errnos.EINVAL, $"flags this kernel does not know: {string.Join(", ", unknown)}");
            bool tsync = (install.Flags & 1) != 0, listener = (install.Flags & 8) != 0, esrch = (install.Flags & 16) != 0, killable = (install.Flags & 32) != 0;
            if (tsync && listener && !esrch)
                return Fail(Errnos.EINVAL, "TSYNC with NEW_LISTENER needs TSYNC_ESRCH");
            if (killable && !listener)
                return Fail(Errnos.EINVAL, "WAIT_KILLABLE_RECV needs NEW_LISTENER");
        }
        else if (!features.Mode2)
            return Fail(Errnos.EINVAL, "this kernel has no filter mode");

        if (install.FprogPointer is not null)
            return Fail(Errnos.EFAULT, $"the struct sock_fprog pointer is {install.FprogPointer.ToString()!.ToLowerInvariant()}");

        var program = compiled.Filters[(install.Filter, abi)];
        int length = (int)(install.Length ?? (uint)program.Length);
        if (length == 0 || length > Op.MaxInstructions)
            return Fail(Errnos.EINVAL, $"length {length} is outside 1..4096");
        if (profile.PathLimitBeforeChecks)
        {
            var early = actor.Chain.CheckPathLimit(length);
            if (!early.Accepted) return Fail(early.Errno, early.Reason);
        }
        if (!actor.NoNewPrivs && !actor.CapSysAdmin)
            return Fail(Errnos.EACCES, "no no_new_privs and no CAP_SYS_ADMIN");
        if (install.FilterPointer == FilterPointer.Null)
            return profile.NullFilterIsEinval ? Fail(Errnos.EINVAL, "filter pointer is NULL") : Fail(Errnos.EFAULT, "filter pointer is NULL");
        if (install.FilterPointer == FilterPointer.Bad)
            return Fail(Errnos.EFAULT, "filter pointer is unmapped");
        // The agent ends the instructions at an unmapped guard page, so a longer len faults in the copy.
        if (length > program.Length)
            return Fail(Errnos.EFAULT, $"len={length} runs past the {program.Length} instructions into an unmapped page");

        var check = FilterChecker.Check(program.AsSpan(0, length), profile);
        if (!check.Accepted)
            return Fail(check.Errno, check.Reason);
        if (actor.Mode == SECCOMP_MODE_STRICT)
            return Fail(Errnos.EINVAL, "the task is in strict mode");
        if ((install.Flags & 8) != 0 && actor.HasListener)
            return Fail(Errnos.EBUSY, "a filter in the chain already has a listener");
        var path = actor.Chain.CheckPathLimit(actor.Chain.PathLength(program.AsSpan(0, length)));
        if (!path.Accepted)
            return Fail(path.Errno, path.Reason);
        if ((install.Flags & 8) != 0)
            return new Prediction(new Matcher { Ret = new ValueMatch(">=0 (a listener fd)", (x, _) => x >= 0) }, "model: accepted, returns the listener fd");
        if ((install.Flags & 1) != 0 && actor.Process.LiveThreads > 1)
            return Prediction.Unknown("TSYNC with other threads: whether they can sync depends on their filters; state the expectation");
        return new Prediction(new Matcher { Ret = Exact(0) }, "model: accepted");
    }

    static ValueMatch Exact(long v) => new(v.ToString(), (x, _) => x == v);

    /// <summary>
    /// The value of an argument if the host knows it. A 32-bit process passes 32-bit registers, so
    /// the filter sees the low word; `int $0x80` from 64-bit code keeps the full registers
    /// (syscall_get_arguments reads regs->bx... whole), so those are not truncated.
    /// </summary>
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

    static ulong Truncate(ulong v, Abi abi, bool fromNative64) =>
        abi is Abi.I386 or Abi.Arm && !fromNative64 ? v & 0xffffffff : v;
}
