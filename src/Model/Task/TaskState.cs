using Conformance.Model.Seccomp;

namespace Conformance.Model.Task;

/// <summary>
/// What the kernel consults about one task (a thread) when it installs a filter or runs a system
/// call. A value: the kernel's state changes are new states (<see cref="TaskState"/>'s transitions),
/// except the thread group, which every thread of a process shares. The filters can only change
/// through the transitions, so the chain and the per-filter facts always describe the same filters.
/// </summary>
public sealed partial record TaskState
{
    public TaskState(Abi abi, KernelProfile profile)
    {
        Abi = abi;
        Chain = new FilterChain(profile);
    }

    /// <summary>The ABI the task's image runs (execve of a 32-bit image changes it).</summary>
    public Abi Abi { get; init; }

    public SeccompMode Mode { get; init; }

    /// <summary>The attached filters for evaluation and the path arithmetic, oldest first.</summary>
    public FilterChain Chain { get; private init; }

    /// <summary>Per attached filter, in the chain's order: its install flags and listener.</summary>
    public IReadOnlyList<AttachedFilter> Filters { get; private init; } = [];

    public bool NoNewPrivs { get; init; }

    /// <summary>CAP_SYS_ADMIN in the task's user namespace (a case root starts as root).</summary>
    public bool CapSysAdmin { get; init; } = true;

    /// <summary>The task's uids are 0 (a case root starts as root; setresuid to another user ends it).</summary>
    public bool RootUid { get; init; } = true;

    public SigsysDisposition Sigsys { get; init; }

    public bool SigsysBlocked { get; init; }

    /// <summary>A tracer that set PTRACE_O_TRACESECCOMP is attached: RET_TRACE stops instead of failing with ENOSYS.</summary>
    public bool SeccompTracer { get; init; }

    /// <summary>The task's process: shared by its threads.</summary>
    public ThreadGroup Group { get; private init; } = new();
}
