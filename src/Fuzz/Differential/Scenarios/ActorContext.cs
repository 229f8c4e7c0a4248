using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing;

/// <summary>A filter an actor may have attached, and whether a listener fd (saved under <see cref="ListenerFd"/>) is open for it.</summary>
public sealed record AttachedSpec(FilterSpec Filter, bool Listener, string? ListenerFd);

/// <summary>What the threads of one process share, as far as the generator's reasoning goes.</summary>
public sealed class ProcessContext
{
    /// <summary>Threads alive (the main thread included) at the current point.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>
    /// Filters that may be on every thread of the process because some thread installed with TSYNC:
    /// seccomp_sync_threads gives every sibling the caller's whole chain, not only the new filter.
    /// </summary>
    public List<AttachedSpec> Tsynced { get; } = [];

    /// <summary>The chain every thread had when the process first spawned one (TSYNC copying these changes nothing).</summary>
    public List<FilterSpec>? SharedAtSpawn { get; set; }
}

/// <summary>
/// What can be known before anything runs about one actor at one point of its steps: the filters it
/// may have attached (every install is assumed to attach, unless Linux refuses the filter), whether
/// SIGSYS certainly reaches a handler, its ABI, privileges and children. The generator keeps one per
/// actor while it writes steps; the checker rebuilds them from the scenario. From it follow the two
/// safety questions about a call: can it block (a USER_NOTIF a listener would have to answer) and can
/// it end the actor (a kill, an unknown action, a TRAP nothing catches).
/// </summary>
public sealed class ActorContext
{
    public required Abi Abi { get; set; }

    public required ProcessContext Process { get; init; }

    public List<AttachedSpec> Chain { get; private init; } = [];

    public bool IsRoot { get; init; }

    public bool IsThread { get; init; }

    /// <summary>A SIGSYS handler is installed (a fresh image has none).</summary>
    public bool Handler { get; set; }

    /// <summary>SIGSYS may be blocked in this thread.</summary>
    public bool Blocked { get; set; }

    /// <summary>A TRAP is certainly caught: a handler and SIGSYS unblocked.</summary>
    public bool SigsysCaught => Handler && !Blocked;

    public bool Nnp { get; set; }

    /// <summary>The actor dropped capabilities or root: capset cannot lower sets it no longer holds, so it drops them once.</summary>
    public bool PrivilegeDropped { get; set; }

    /// <summary>Forked children not yet waited for (each holds copies of the actor's fds).</summary>
    public int OpenChildren { get; set; }

    public ActorContext Fork() => new()
    {
        Abi = Abi,
        Process = new ProcessContext(),
        // A filter a sibling may have TSYNCed onto this thread is copied like any other.
        Chain = [.. Filters],
        Handler = Handler, Blocked = Blocked, Nnp = Nnp, PrivilegeDropped = PrivilegeDropped,
    };

    public ActorContext Thread()
    {
        Process.SharedAtSpawn ??= Filters.Select(f => f.Filter).ToList();
        Process.Threads++;
        return new ActorContext
        {
            Abi = Abi, Process = Process, IsThread = true, Chain = [.. Chain],
            Handler = Handler, Blocked = Blocked, Nnp = Nnp, PrivilegeDropped = PrivilegeDropped,
        };
    }

    /// <summary>execve: the image's ABI, and a handler's address means nothing in it (SIGSYS back to the default).</summary>
    public void Exec(Abi abi)
    {
        Abi = abi;
        Handler = false;
    }

    public void Attach(FilterSpec filter, bool listener, string? listenerFd, bool tsync)
    {
        if (!filter.Attachable)
            return;
        Chain.Add(new AttachedSpec(filter, listener, listener ? listenerFd : null));
        if (tsync)
            foreach (var attached in Chain)
                if (Process.Tsynced.All(t => t.Filter != attached.Filter))
                    Process.Tsynced.Add(attached);
    }

    /// <summary>close of a listener fd: the listener is gone once no child holds a copy.</summary>
    public void Close(string fd)
    {
        if (OpenChildren > 0)
            return;
        for (int i = 0; i < Chain.Count; i++)
            if (Chain[i].ListenerFd == fd)
                Chain[i] = Chain[i] with { Listener = false, ListenerFd = null };
    }

    /// <summary>Every filter that may be attached to this thread, its own and those a sibling may have TSYNCed.</summary>
    public IEnumerable<AttachedSpec> Filters =>
        Chain.Concat(Process.Tsynced.Where(t => Chain.All(c => c.Filter != t.Filter)));

    /// <summary>Every value the filters may return for the call (ALLOW with no filter).</summary>
    public IReadOnlyList<FilterAction> Possible(Abi abi, int nr)
    {
        var all = Filters.SelectMany(f => f.Filter.Possible(abi, nr)).Distinct().ToList();
        return all.Count == 0 ? [FilterAction.Allow] : all;
    }

    /// <summary>A listener may have to answer the call: some filter with an open listener may return USER_NOTIF for it.</summary>
    public bool MayBlock(Abi abi, int nr) =>
        Filters.Any(f => f.Listener && f.Filter.Possible(abi, nr).Any(a => a.Action == SeccompAction.UserNotif));

    /// <summary>The call certainly goes to a listener: one filter with an open listener answers USER_NOTIF on every path, and every other answers ALLOW or LOG.</summary>
    public bool CertainlyNotifies(Abi abi, int nr)
    {
        var filters = Filters.ToList();
        var listeners = filters.Where(f => f.Listener && f.Filter.Possible(abi, nr).All(a => a.Action == SeccompAction.UserNotif)).ToList();
        return listeners.Count == 1 && filters.Where(f => f != listeners[0])
            .All(f => f.Filter.Possible(abi, nr).All(a => a.Action is SeccompAction.Allow or SeccompAction.Log));
    }

    /// <summary>The call may end this thread; <paramref name="processWide"/>: it may end the whole process.</summary>
    public bool MayKill(Abi abi, int nr, out bool processWide)
    {
        var possible = Possible(abi, nr);
        processWide = possible.Any(a => a.KillsProcess(SigsysCaught));
        return possible.Any(a => a.Lethal(SigsysCaught));
    }

    /// <summary>Any filter may return TRACE for the call (a seccomp stop if a tracer is attached).</summary>
    public bool MayTrace(Abi abi, int nr) => Possible(abi, nr).Any(a => a.Action == SeccompAction.Trace);
}
