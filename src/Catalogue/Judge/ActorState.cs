using Conformance.Machines.Protocol;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Catalogue.Judge;

/// <summary>The threads of one process, as far as the model counts them (KILL_THREAD needs to know).</summary>
public sealed class ProcessState
{
    public int LiveThreads { get; set; } = 1;

    /// <summary>
    /// A death the model predicted for the whole process at some thread's step (KILL_PROCESS, a
    /// forced SIGSYS): every other thread of the process dies wherever it is at that moment.
    /// </summary>
    public Fate? Death { get; set; }
}

/// <summary>
/// What the model knows about one actor at a point of its step list: its ABI, privileges,
/// seccomp mode, filter chain and signal state. Updated from what the kernel actually did at
/// each earlier step, so one wrong answer does not cascade into every later prediction.
/// </summary>
public sealed class ActorState
{
    public required Abi Abi { get; set; }
    public required FilterChain Chain { get; set; }
    public required ProcessState Process { get; set; }
    public bool IsThread { get; init; }
    public bool NoNewPrivs { get; set; }
    public bool CapSysAdmin { get; set; } = true;
    public int Mode { get; set; }
    public SignalDisposition SigsysDisposition { get; set; } = SignalDisposition.Default;
    public bool SigsysBlocked { get; set; }
    /// <summary>Per attached filter: (install flags, the filter's listener fd is still open).</summary>
    public List<(uint Flags, bool ListenerOpen)> FilterFlags { get; set; } = [];
    public Dictionary<string, long> Saved { get; set; } = [];
    public int Pid { get; set; }
    public int Tid { get; set; }
    public int Ppid { get; set; }

    /// <summary>The copy fork or clone makes (filters, privileges and signal state are inherited).</summary>
    public ActorState Inherit(bool asThread) => new()
    {
        Abi = Abi,
        Chain = Chain.Clone(),
        Process = asThread ? Process : new ProcessState(),
        IsThread = asThread,
        NoNewPrivs = NoNewPrivs,
        CapSysAdmin = CapSysAdmin,
        Mode = Mode,
        SigsysDisposition = SigsysDisposition,
        SigsysBlocked = SigsysBlocked,
        FilterFlags = [.. FilterFlags],
        Saved = new Dictionary<string, long>(Saved),
    };

    public bool HasListener => FilterFlags.Any(f => (f.Flags & 8) != 0);
}
