using Conformance.Catalogue.Cases;
using Conformance.Machines.Protocol;
using Conformance.Catalogue.Steps.Kinds;

namespace Conformance.Catalogue.Steps;

/// <summary>The step kinds, each listed once. A new kind is one class in Kinds/ plus a line here (docs/cases.md, "Adding a step kind").</summary>
public static class StepKinds
{
    public static readonly CallKind Call = new();
    public static readonly NnpKind Nnp = new();
    public static readonly InstallKind Install = new();
    public static readonly StrictKind Strict = new();
    public static readonly DropCapsKind DropCaps = new();
    public static readonly SetuidKind Setuid = new();
    public static readonly RlimitCoreKind RlimitCore = new();
    public static readonly SignalKind Signal = new();
    public static readonly SigMaskKind Block = new(SigMaskHow.Block);
    public static readonly SigMaskKind Unblock = new(SigMaskHow.Unblock);
    public static readonly ForkKind Fork = new();
    public static readonly ThreadKind Thread = new();
    public static readonly ExecKind Exec = new(compat: false);
    public static readonly ExecKind Exec32 = new(compat: true);
    public static readonly WaitKind Wait = new();
    public static readonly JoinKind Join = new();
    public static readonly SetFlagKind SetFlag = new();
    public static readonly WaitFlagKind WaitFlag = new();
    public static readonly SleepKind Sleep = new();
    public static readonly ReadKind Read = new();
    public static readonly KmsgMarkKind KmsgMark = new();
    public static readonly KmsgReadKind KmsgRead = new();
    public static readonly MarkKind Mark = new();
    public static readonly ExitKind Exit = new(group: true);
    public static readonly ExitKind ExitThread = new(group: false);
    public static readonly PtraceKind Ptrace = new();
    public static readonly TraceKind Trace = new();
    public static readonly NotifRecvKind NotifRecv = new();
    public static readonly NotifSendKind NotifSend = new();
    public static readonly NotifIdValidKind NotifIdValid = new();
    public static readonly NotifAddfdKind NotifAddfd = new();
    public static readonly CloseKind Close = new();
    public static readonly RepeatKind Repeat = new();
    public static readonly SetKind Set = new();
    public static readonly PipeKind Pipe = new();

    public static IReadOnlyList<StepKind> All { get; } =
    [
        Call, Nnp, Install, Strict, DropCaps, Setuid, RlimitCore, Signal, Block, Unblock, Fork, Thread,
        Exec, Exec32, Wait, Join, SetFlag, WaitFlag, Sleep, Read, KmsgMark, KmsgRead, Mark, Exit,
        ExitThread, Ptrace, Trace, NotifRecv, NotifSend, NotifIdValid, NotifAddfd, Close, Repeat, Set, Pipe,
    ];

    static readonly Dictionary<string, StepKind> ByKeyword = All.ToDictionary(k => k.Keyword, StringComparer.Ordinal);

    public static IEnumerable<string> Keywords => All.Select(k => k.Keyword);

    public static StepKind? Find(string keyword) => ByKeyword.GetValueOrDefault(keyword);
}
