using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;

namespace Conformance.Model.Task;

/// <summary>The changes the kernel makes to a task's seccomp state that a judge follows step by step.</summary>
public sealed partial record TaskState
{
    /// <summary>
    /// After an install the kernel answered with <paramref name="returned"/>: what it attached,
    /// whatever the model predicted. A failure attaches nothing; so does TSYNC without a listener
    /// that returned a positive thread id (a thread that could not be synchronised). Otherwise the
    /// kernel attached the first len instructions it could read, which Linux may have rejected.
    /// </summary>
    public TaskState AfterInstall(InstallRequest request, long returned)
    {
        if (returned < 0)
            return this;
        bool tsync = (request.Flags & SeccompFilterFlags.Tsync) != 0, listener = (request.Flags & SeccompFilterFlags.NewListener) != 0;
        if (tsync && !listener && returned > 0)
            return this;
        var length = Math.Clamp(request.Length, 0, request.Mapped.Length);
        var program = request.Prepared is { } p && p.Original.Length == length ? p : LoadedFilter.Load(request.Mapped[..length], Chain.Profile);
        return Attach(program, request.Flags);
    }

    /// <summary>seccomp_attach_filter: the filter joins the chain and the task is in filter mode.</summary>
    public TaskState Attach(LoadedFilter filter, SeccompFilterFlags flags)
    {
        var chain = Chain.Clone();
        chain.Attach(filter);
        return this with
        {
            Mode = SeccompMode.Filter,
            Chain = chain,
            Filters = [.. Filters, new AttachedFilter(filter, flags, (flags & SeccompFilterFlags.NewListener) != 0)],
        };
    }

    /// <summary>The last copy of filter #<paramref name="filter"/>'s listener fd was closed: filter->notif is gone.</summary>
    public TaskState ListenerClosed(int filter)
    {
        if (filter < 0 || filter >= Filters.Count)
            return this;
        var filters = Filters.ToArray();
        filters[filter] = filters[filter] with { ListenerOpen = false };
        return this with { Filters = filters };
    }

    /// <summary>fork: a new process with the same filters, privileges and signal state, and no tracer of its own.</summary>
    public TaskState Fork() => this with { Group = new ThreadGroup(), SeccompTracer = false };

    /// <summary>A new thread of the same process: it shares the group, and inherits the rest like fork.</summary>
    public TaskState SpawnThread()
    {
        Group.ThreadStarted();
        return this with { SeccompTracer = false };
    }

    /// <summary>This thread has ended; the process lives on in its other threads.</summary>
    public TaskState ThreadExited()
    {
        Group.ThreadEnded();
        return this;
    }

    /// <summary>
    /// execve: the image's ABI, other threads gone (de_thread), and a SIGSYS handler reset to the
    /// default (a handler's address means nothing in the new image); filters, no_new_privs, the
    /// signal mask and an ignored SIGSYS survive. A root task gets its capabilities back from the
    /// bounding set (cap_bprm_creds_from_file treats root as holding every file capability), unless
    /// no_new_privs forbids gaining any (the permitted set is then cut to the old one). Cases never
    /// shrink the bounding set, so CAP_SYS_ADMIN is in it.
    /// </summary>
    public TaskState Exec(Abi abi)
    {
        Group.OthersKilled();
        return this with
        {
            Abi = abi,
            Sigsys = Sigsys == SigsysDisposition.Handler ? SigsysDisposition.Default : Sigsys,
            CapSysAdmin = CapSysAdmin || (RootUid && !NoNewPrivs),
        };
    }
}
