using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using Conformance.Model.Task;

namespace Conformance.Catalogue.Judge;

/// <summary>What the judge knows about one process beyond the model: a death it predicted for all of it.</summary>
public sealed class ProcessState
{
    /// <summary>
    /// A death the model predicted for the whole process at some thread's step (KILL_PROCESS, a
    /// forced SIGSYS): every other thread of the process dies wherever it is at that moment.
    /// </summary>
    public Fate? Death { get; set; }

    /// <summary>
    /// The first step of any of the process's threads that was observed without being judged (why
    /// the model could not say). After one, a death the model did not predict is not held against it.
    /// </summary>
    public string? Unjudged { get; set; }
}

/// <summary>
/// One actor at a point of its step list: the model's task state (ABI, privileges, seccomp mode,
/// filters, signal state, thread group) and what the case saved. Updated from what the kernel
/// actually did at each earlier step, so one wrong answer does not cascade into every later prediction.
/// </summary>
public sealed class ActorState
{
    public required TaskState Task { get; set; }
    public required ProcessState Process { get; set; }
    public bool IsThread { get; init; }
    public Dictionary<string, long> Saved { get; set; } = [];
    public int Pid { get; set; }
    public int Tid { get; set; }
    public int Ppid { get; set; }

    public Abi Abi => Task.Abi;

    public bool NoNewPrivs
    {
        get => Task.NoNewPrivs;
        set => Task = Task with { NoNewPrivs = value };
    }

    public bool CapSysAdmin
    {
        get => Task.CapSysAdmin;
        set => Task = Task with { CapSysAdmin = value };
    }

    public bool RootUid
    {
        get => Task.RootUid;
        set => Task = Task with { RootUid = value };
    }

    /// <summary>SECCOMP_MODE_* as the kernel numbers it.</summary>
    public int Mode
    {
        get => (int)Task.Mode;
        set => Task = Task with { Mode = (SeccompMode)value };
    }

    public SignalDisposition SigsysDisposition
    {
        get => Task.Sigsys switch
        {
            Model.Task.SigsysDisposition.Handler => SignalDisposition.RecordingHandler,
            Model.Task.SigsysDisposition.Ignore => SignalDisposition.Ignore,
            _ => SignalDisposition.Default,
        };
        set => Task = Task with
        {
            Sigsys = value switch
            {
                SignalDisposition.RecordingHandler => Model.Task.SigsysDisposition.Handler,
                SignalDisposition.Ignore => Model.Task.SigsysDisposition.Ignore,
                _ => Model.Task.SigsysDisposition.Default,
            },
        };
    }

    public bool SigsysBlocked
    {
        get => Task.SigsysBlocked;
        set => Task = Task with { SigsysBlocked = value };
    }

    /// <summary>The copy fork or clone makes (filters, privileges and signal state are inherited; a thread joins the thread group).</summary>
    public ActorState Inherit(bool asThread) => new()
    {
        Task = asThread ? Task.SpawnThread() : Task.Fork(),
        Process = asThread ? Process : new ProcessState(),
        IsThread = asThread,
        Saved = new Dictionary<string, long>(Saved),
    };
}
