using Conformance.Model.Kernel;

namespace Conformance.Model.Seccomp;

/// <summary>
/// What a given kernel does differently from today's Linux, as data. Cases and the fuzzer ask
/// "what must kernel X do" through one of these; nothing else in the model knows about versions.
/// Facts marked [unverified] come from the project's reference notes and were not re-read in the
/// kernel's history; each is a single property so a wrong one is a one-line fix.
/// </summary>
public sealed record KernelProfile
{
    public required string Name { get; init; }

    /// <summary>The first kernel release the profile describes, e.g. 6.1.</summary>
    public required Version Since { get; init; }

    /// <summary>
    /// 4.14+: verdicts compare (s32)(ret &amp; 0xffff0000), KILL_PROCESS, LOG and USER_NOTIF exist and
    /// an unknown action kills the process. Before: ret &amp; 0x7fff0000 compared unsigned, and anything
    /// that is not TRAP, ERRNO, TRACE or ALLOW kills the thread.
    /// </summary>
    public bool FullActionCompare { get; init; } = true;

    /// <summary>RET_LOG exists (4.14+).</summary>
    public bool HasLog { get; init; } = true;

    /// <summary>RET_USER_NOTIF exists (5.0+).</summary>
    public bool HasUserNotif { get; init; } = true;

    /// <summary>ERRNO data above 4095 is capped to 4095 (580c57f10768, 4.16 [unverified release]).</summary>
    public bool CapsErrno { get; init; } = true;

    /// <summary>Before 3.14 DIV by a constant used reciprocal_divide (A/1 == 0, large operands off by one).</summary>
    public bool ReciprocalDivide { get; init; }

    /// <summary>seccomp_check_filter accepts XOR (3.7+ [unverified]).</summary>
    public bool AllowsXor { get; init; } = true;

    /// <summary>bpf_check_classic rejects LSH/RSH by a constant &gt;= 32 [unverified for old kernels].</summary>
    public bool RejectsLargeConstantShift { get; init; } = true;

    /// <summary>3.5-3.16: the 32768-instruction path check ran right after the length check, before EACCES and the checker.</summary>
    public bool PathLimitBeforeChecks { get; init; }

    /// <summary>A NULL filter pointer with len &gt; 0 gives EINVAL (bpf_check_basics_ok); 3.x kernels gave EFAULT.</summary>
    public bool NullFilterIsEinval { get; init; } = true;

    /// <summary>3.17+: the seccomp(2) system call exists (before it, filters are installed with prctl).</summary>
    public bool HasSeccompSyscall { get; init; } = true;

    /// <summary>
    /// The flags seccomp(SECCOMP_SET_MODE_FILTER) accepts: TSYNC 3.17, LOG 4.14, SPEC_ALLOW 4.17,
    /// NEW_LISTENER 5.0, TSYNC_ESRCH 5.7, WAIT_KILLABLE_RECV 5.19. A probed kernel's own list wins.
    /// </summary>
    public SeccompFilterFlags FilterFlags { get; init; } =
        SeccompFilterFlags.Tsync | SeccompFilterFlags.Log | SeccompFilterFlags.SpecAllow
        | SeccompFilterFlags.NewListener | SeccompFilterFlags.TsyncEsrch | SeccompFilterFlags.WaitKillableRecv;

    /// <summary>The listener's reply flags and ioctls beyond 5.0's RECV, SEND and ID_VALID.</summary>
    public UserNotifFeatures UserNotif { get; init; } = UserNotifFeatures.All;

    /// <summary>
    /// 6.0+: the last thread of a process to exit sets SIGNAL_GROUP_EXIT with its own code
    /// (synchronize_group_exit), so a main thread that died alone leaves the last thread's exit code
    /// as the wait status. Before, nothing set it and wait_task_zombie reported the main thread's own
    /// exit_code: the signal it died of.
    /// </summary>
    public bool LastThreadSetsGroupExit { get; init; } = true;

    /// <summary>5.11+: the per-syscall constant-ALLOW bitmap (seccomp_is_const_allow) exists.</summary>
    public bool HasActionCache { get; init; } = true;

    /// <summary>
    /// System calls a native task makes without running any filter (seccomp_uprobe_exception:
    /// uretprobe, later uprobe; x86_64 only). Keyed by ABI and number.
    /// </summary>
    public IReadOnlyList<(Abi Abi, int Nr)> FilterBypass { get; init; } = [];

    /// <summary>4.8+: after a tracer handles RET_TRACE the filters run again on the new registers.</summary>
    public bool RechecksAfterTrace { get; init; } = true;

    /// <summary>True when a call with this arch and number skips every filter on this kernel.</summary>
    public bool Bypasses(uint arch, int nr)
    {
        foreach (var (abi, n) in FilterBypass)
            if (n == nr && AuditArch.Of(abi) == arch)
                return true;
        return false;
    }

    public override string ToString() => Name;
}
