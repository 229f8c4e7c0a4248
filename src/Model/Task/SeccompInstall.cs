using Conformance.Model.Bpf;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;

namespace Conformance.Model.Task;

/// <summary>
/// seccomp_set_mode_filter's checks in the kernel's order (with seccomp_prepare_user_filter,
/// seccomp_prepare_filter, bpf_prog_create_from_user and seccomp_attach_filter inside it), for
/// one task and one kernel: the one install model the judge and `eval` share.
/// </summary>
public static class SeccompInstall
{
    public static InstallOutcome Decide(TaskState task, KernelDescription kernel, InstallRequest request)
    {
        var profile = kernel.Profile;
        var flags = request.Flags;
        if (request.Call == InstallCall.Seccomp)
        {
            if (!kernel.HasSeccompSyscall)
                return InstallOutcome.Refuse(Errnos.ENOSYS, InstallRule.NoSyscall, "this kernel has no seccomp(2)");
            // Without CONFIG_SECCOMP_FILTER seccomp_set_mode_filter is a stub that only says EINVAL.
            if (!kernel.HasFilterMode)
                return InstallOutcome.Refuse(Errnos.EINVAL, InstallRule.NoFilterMode, "this kernel has no filter mode");
            if ((flags & ~kernel.FilterFlags) is var unknown and not SeccompFilterFlags.None)
                return InstallOutcome.Refuse(Errnos.EINVAL, InstallRule.UnknownFlag, $"flags this kernel does not know: {unknown}");
            bool listener = Has(flags, SeccompFilterFlags.NewListener);
            // A TSYNC failure returns a thread id, indistinguishable from a listener fd, unless ESRCH is asked for.
            if (Has(flags, SeccompFilterFlags.Tsync) && listener && !Has(flags, SeccompFilterFlags.TsyncEsrch))
                return InstallOutcome.Refuse(Errnos.EINVAL, InstallRule.TsyncNeedsEsrch, "TSYNC with NEW_LISTENER needs TSYNC_ESRCH");
            if (Has(flags, SeccompFilterFlags.WaitKillableRecv) && !listener)
                return InstallOutcome.Refuse(Errnos.EINVAL, InstallRule.KillableNeedsListener, "WAIT_KILLABLE_RECV needs NEW_LISTENER");
        }
        else if (!kernel.HasFilterMode)
            return InstallOutcome.Refuse(Errnos.EINVAL, InstallRule.NoFilterMode, "this kernel has no filter mode");

        if (request.Fprog != UserPointer.Readable)
            return InstallOutcome.Refuse(Errnos.EFAULT, InstallRule.FprogFault, $"the struct sock_fprog pointer is {Describe(request.Fprog)}");

        int length = request.Length;
        if (length == 0 || length > Op.MaxInstructions)
            return InstallOutcome.Refuse(Errnos.EINVAL, InstallRule.LengthRange, $"length {length} is outside 1..{Op.MaxInstructions}");
        if (profile.PathLimitBeforeChecks && task.Chain.CheckPathLimit(length) is { Accepted: false } early)
            return InstallOutcome.Refuse(early.Errno, InstallRule.PathLimit, early.Reason) with { Check = early };
        if (!task.NoNewPrivs && !task.CapSysAdmin)
            return InstallOutcome.Refuse(Errnos.EACCES, InstallRule.NoPrivilege, "no no_new_privs and no CAP_SYS_ADMIN");
        if (request.Filter == UserPointer.Null)
            return InstallOutcome.Refuse(profile.NullFilterIsEinval ? Errnos.EINVAL : Errnos.EFAULT, InstallRule.NullFilter, "the filter pointer is NULL");
        if (request.Filter == UserPointer.Unmapped)
            return InstallOutcome.Refuse(Errnos.EFAULT, InstallRule.FilterFault, "the filter pointer is unmapped");
        if (length > request.Mapped.Length)
            return InstallOutcome.Refuse(Errnos.EFAULT, InstallRule.LengthPastMapping,
                $"len={length} runs past the {request.Mapped.Length} instructions into an unmapped page");

        var filter = request.Prepared ?? LoadedFilter.Load(length == request.Mapped.Length ? request.Mapped : request.Mapped[..length], profile);
        if (!filter.LinuxAccepts)
            return InstallOutcome.Refuse(filter.Check.Errno, InstallRule.Checker, filter.Check.Reason) with { Check = filter.Check };
        if (task.Mode == SeccompMode.Strict)
            return InstallOutcome.Refuse(Errnos.EINVAL, InstallRule.StrictMode, "the task is in strict mode") with { Filter = filter };
        if (Has(flags, SeccompFilterFlags.NewListener) && task.Filters.Any(f => f.HasOpenListener))
            return InstallOutcome.Refuse(Errnos.EBUSY, InstallRule.ListenerBusy, "a filter in the chain already has an open listener") with { Filter = filter };
        if (task.Chain.CheckPathLimit(task.Chain.PathLength(filter.Original)) is { Accepted: false } path)
            return InstallOutcome.Refuse(path.Errno, InstallRule.PathLimit, path.Reason) with { Check = path, Filter = filter };

        if (Has(flags, SeccompFilterFlags.NewListener))
            return new InstallOutcome(InstallResult.ReturnsListenerFd, 0, InstallRule.Accepted, "accepted, returns the listener fd") { Filter = filter };
        if (Has(flags, SeccompFilterFlags.Tsync) && task.Group.HasOtherThreads)
            return new InstallOutcome(InstallResult.DependsOnOtherThreads, 0, InstallRule.Accepted,
                "TSYNC with other threads: whether they can all take the filter depends on their own filters") { Filter = filter };
        return new InstallOutcome(InstallResult.ReturnsZero, 0, InstallRule.Accepted, "accepted") { Filter = filter };
    }

    /// <summary>
    /// Decides and, when the install certainly attached, attaches: the state after the call. A
    /// TSYNC whose answer depends on other threads leaves the state alone; follow what the kernel
    /// returned with <see cref="TaskState.AfterInstall"/>.
    /// </summary>
    public static (TaskState Task, InstallOutcome Outcome) Apply(TaskState task, KernelDescription kernel, InstallRequest request)
    {
        var outcome = Decide(task, kernel, request);
        return outcome.Result is InstallResult.ReturnsZero or InstallResult.ReturnsListenerFd
            ? (task.Attach(outcome.Filter!, request.Flags), outcome)
            : (task, outcome);
    }

    static bool Has(SeccompFilterFlags flags, SeccompFilterFlags flag) => (flags & flag) != 0;

    static string Describe(UserPointer pointer) => pointer switch
    {
        UserPointer.Null => "null",
        UserPointer.Unmapped => "bad",
        _ => "readable",
    };
}
