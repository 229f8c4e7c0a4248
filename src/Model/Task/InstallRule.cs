namespace Conformance.Model.Task;

/// <summary>Which of seccomp_set_mode_filter's checks decided an install, in the kernel's order.</summary>
public enum InstallRule
{
    Accepted,
    /// <summary>seccomp(2) does not exist (before 3.17): ENOSYS.</summary>
    NoSyscall,
    /// <summary>The kernel has no filter mode (no CONFIG_SECCOMP_FILTER): EINVAL.</summary>
    NoFilterMode,
    /// <summary>A flag this kernel does not know: EINVAL.</summary>
    UnknownFlag,
    /// <summary>TSYNC with NEW_LISTENER but without TSYNC_ESRCH: EINVAL.</summary>
    TsyncNeedsEsrch,
    /// <summary>WAIT_KILLABLE_RECV without NEW_LISTENER: EINVAL.</summary>
    KillableNeedsListener,
    /// <summary>The struct sock_fprog cannot be read: EFAULT.</summary>
    FprogFault,
    /// <summary>len == 0 or len &gt; 4096 (seccomp_prepare_filter): EINVAL.</summary>
    LengthRange,
    /// <summary>The chain would exceed 32768 instructions per path: ENOMEM.</summary>
    PathLimit,
    /// <summary>Neither no_new_privs nor CAP_SYS_ADMIN: EACCES.</summary>
    NoPrivilege,
    /// <summary>A NULL filter pointer: EINVAL (bpf_check_basics_ok), EFAULT on 3.x kernels.</summary>
    NullFilter,
    /// <summary>The filter pointer is unmapped: EFAULT.</summary>
    FilterFault,
    /// <summary>len runs past the readable instructions into an unmapped page: EFAULT.</summary>
    LengthPastMapping,
    /// <summary>Linux's checker rejects the program (<see cref="InstallOutcome.Check"/> says which rule): EINVAL.</summary>
    Checker,
    /// <summary>The task is in strict mode (seccomp_may_assign_mode): EINVAL.</summary>
    StrictMode,
    /// <summary>NEW_LISTENER while a filter of the chain still has an open listener: EBUSY.</summary>
    ListenerBusy,
}
