using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Model.Task;

/// <summary>
/// __secure_computing for one system call of a task: strict mode's list, or the filters' verdict
/// and what __seccomp_filter's action switch then does to the thread and the process.
/// </summary>
public static class SeccompSyscall
{
    public static SyscallOutcome Decide(TaskState task, KernelDescription kernel, SyscallQuery call) => Run(task, kernel, call, recheck: false);

    /// <summary>
    /// What a call held in a seccomp stop (<see cref="TraceStop"/>) does once its tracer resumes
    /// it: __seccomp_filter's TRACE case after ptrace_event returns. <paramref name="resumed"/> is
    /// the call as the tracer left the registers (the original call when it changed nothing) and
    /// <paramref name="task"/> the task as it is then. A negative number means the tracer skipped
    /// the call. Otherwise, 4.8+ (<see cref="KernelProfile.RechecksAfterTrace"/>) runs the filters
    /// again on those registers: TRACE now lets the call run, any other verdict acts as on a first
    /// pass. Before 4.8 the call simply runs.
    /// </summary>
    public static SyscallOutcome ResumeAfterTrace(TaskState task, KernelDescription kernel, SyscallQuery resumed)
    {
        if (resumed.Nr < 0)
            return new SkippedByTracer("the tracer set a negative number at the seccomp stop: the call is skipped");
        if (!kernel.Profile.RechecksAfterTrace)
            return new CallRuns(RunsBecause.TracerResumed, $"{kernel.Profile} does not run the filters again after RET_TRACE: the call runs");
        return Run(task, kernel, resumed, recheck: true);
    }

    static SyscallOutcome Run(TaskState task, KernelDescription kernel, SyscallQuery call, bool recheck)
    {
        if (task.Mode == SeccompMode.Strict)
            return Strict(task, call);

        var chain = task.Chain;
        if (chain.Count == 0)
            return new CallRuns(RunsBecause.NoFilter, "no filter attached");
        uint arch = AuditArch.Of(call.Abi);
        if (chain.Bypasses(arch, call.Nr))
            return new CallRuns(RunsBecause.Bypassed, $"{kernel.Profile} runs no filter for this call");
        if (chain.FirstRejected is var rejected and >= 0)
            return new LinuxRejectsFilter(rejected, chain.Filters[rejected].Check,
                $"the kernel attached filter #{rejected}, which Linux rejects ({chain.Filters[rejected].Check.Reason}): Linux gives it no behaviour");
        if (UnknownFieldRead(chain, call) is { } field)
            return new CannotSay(field, field == SeccompField.InstructionPointer
                ? "a filter reads the instruction pointer, which is only known at run time"
                : $"a filter reads args[{ArgIndex(field)}], which is only known at run time");

        var args = new ulong[SyscallQuery.MaxArgs];
        for (int i = 0; i < args.Length; i++)
            args[i] = call.Arg(i) ?? 0;
        var verdict = chain.Evaluate(new SeccompData(call.Nr, arch, call.InstructionPointer ?? 0, args));
        return Act(task, call, verdict, recheck) with { Verdict = verdict };
    }

    /// <summary>__seccomp_filter's switch on the winning action (<paramref name="recheck"/>: the pass after a tracer resumed the call).</summary>
    static SyscallOutcome Act(TaskState task, SyscallQuery call, Verdict verdict, bool recheck)
    {
        var what = $"{SeccompRet.Name(verdict.Action)}({verdict.Data}){(verdict.Filter >= 0 ? $" from filter #{verdict.Filter}" : "")}";
        switch (verdict.Action)
        {
            case SeccompAction.Allow:
                return new CallRuns(RunsBecause.Allowed, what);
            case SeccompAction.Log:
                return new CallRuns(RunsBecause.Logged, what);
            case SeccompAction.Errno:
                return new ReturnsErrno(verdict.Data, what);
            case SeccompAction.Trap:
                // force_sig_seccomp: a blocked or ignored SIGSYS is reset to the default, which kills.
                if (task.Sigsys == SigsysDisposition.Handler && !task.SigsysBlocked)
                    return new SigsysHandled(Siginfo(call, verdict), $"{what} delivered to the handler");
                var state = task.SigsysBlocked ? "blocked" : task.Sigsys == SigsysDisposition.Ignore ? "ignored" : "at its default";
                return new ProcessKilled(SIGSYS, $"{what} with SIGSYS {state}: the process dies");
            case SeccompAction.KillThread:
                // signal->live > 1: any thread of a multi-threaded process, the main thread included, dies alone.
                return task.Group.HasOtherThreads
                    ? new ThreadKilled(SIGSYS, $"{what}: only this thread dies")
                    : new ProcessKilled(SIGSYS, $"{what}: the last thread, so the process dies");
            case SeccompAction.KillProcess:
                return new ProcessKilled(SIGSYS, (verdict.Ret & SeccompRet.ActionFull) == SeccompRet.KillProcess
                    ? what
                    : $"{what}: 0x{verdict.Ret:x8} is no action this kernel knows, which kills the process");
            case SeccompAction.Trace:
                if (recheck)
                    return new CallRuns(RunsBecause.TracerResumed, $"{what} again on the recheck after the tracer: the call runs");
                return task.SeccompTracer
                    ? new TraceStop(verdict.Data, $"{what}: a seccomp stop for the tracer")
                    : new ReturnsErrno(Errnos.ENOSYS, $"{what} with no tracer: ENOSYS");
            case SeccompAction.UserNotif:
                // seccomp_do_user_notification: no filter->notif (never made, or its fd closed) is ENOSYS.
                return verdict.Filter >= 0 && task.Filters[verdict.Filter].HasOpenListener
                    ? new UserNotification(verdict.Filter, $"{what}: the listener gets the call")
                    : new ReturnsErrno(Errnos.ENOSYS, $"{what} with no listener: ENOSYS");
            default:
                throw new InvalidOperationException($"no effect for the action {verdict.Action}");
        }
    }

    /// <summary>force_sig_seccomp's siginfo, after syscall_rollback put the call's registers back.</summary>
    static SigsysInfo Siginfo(SyscallQuery call, Verdict verdict)
    {
        uint arch = AuditArch.Of(call.Abi);
        if (call.Abi is Abi.X86_64 or Abi.I386 or Abi.X32)
            return new SigsysInfo(verdict.Data, call.Nr, arch, RollbackRegister.SyscallNumber, (ulong)(uint)call.Nr);
        // A compat arm task only has 32-bit registers: r0 is the low word of the argument.
        var arg0 = call.Arg(0);
        var info = new SigsysInfo(verdict.Data, call.Nr, arch, RollbackRegister.FirstArgument,
            call.Abi == Abi.Arm && arg0 is { } a ? a & 0xffffffff : arg0);
        return arg0 is { } x0 ? ArmSignalRestart(info, x0) : info;
    }

    /// <summary>
    /// arm64's do_signal takes the interrupted call's return value from x0 into an int and, for
    /// the -ERESTART* codes, restarts the call. After a TRAP x0 holds the rolled-back first
    /// argument, so an argument whose low word is such a code is read as a restart request:
    /// -ERESTARTNOINTR points the context back at the svc (the call is made again when the handler
    /// returns, and traps again); -ERESTARTNOHAND, -ERESTART_RESTARTBLOCK and -ERESTARTSYS (the
    /// handler has no SA_RESTART here) make the call return -EINTR, which the handler already sees.
    /// x86 reads rax, which rollback sets to the (non-negative) number, so it never restarts.
    /// </summary>
    static SigsysInfo ArmSignalRestart(SigsysInfo info, ulong x0)
    {
        switch (-(int)(uint)x0)
        {
            case Errnos.ERESTARTNOINTR:
                return info with { Restarts = true };
            case Errnos.ERESTARTSYS or Errnos.ERESTARTNOHAND or Errnos.ERESTART_RESTARTBLOCK:
                return info with { ReturnValue = unchecked((ulong)(long)-Errnos.EINTR) };
            default:
                return info;
        }
    }

    /// <summary>__secure_computing_strict: do_exit(SIGKILL), which ends only the calling thread.</summary>
    static SyscallOutcome Strict(TaskState task, SyscallQuery call)
    {
        if (StrictMode.Allowed(call.Abi, call.Nr) is { } name)
            return new CallRuns(RunsBecause.StrictModeList, $"allowed by strict mode ({name})");
        var what = SyscallTable.NameOf(call.Abi, call.Nr) ?? call.Nr.ToString();
        return task.Group.HasOtherThreads
            ? new ThreadKilled(SIGKILL, $"strict mode kills this thread on {what}")
            : new ProcessKilled(SIGKILL, $"strict mode kills on {what}");
    }

    /// <summary>The first field the caller left unknown that some attached filter loads.</summary>
    static SeccompField? UnknownFieldRead(FilterChain chain, SyscallQuery call)
    {
        for (int i = 0; i < SyscallQuery.MaxArgs; i++)
            if (call.Arg(i) is null && AnyReads(chain, 16 + 8 * (uint)i))
                return SeccompField.Arg0 + (uint)(8 * i);
        if (call.InstructionPointer is null && AnyReads(chain, (uint)SeccompField.InstructionPointer))
            return SeccompField.InstructionPointer;
        return null;
    }

    static bool AnyReads(FilterChain chain, uint offset)
    {
        foreach (var f in chain.Filters)
            if (FilterReads.Reads(f.Original, offset, 8))
                return true;
        return false;
    }

    static int ArgIndex(SeccompField field) => ((int)field - (int)SeccompField.Arg0) / 8;
}
