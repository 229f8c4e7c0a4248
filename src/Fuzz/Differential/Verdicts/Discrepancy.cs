using Conformance.Fuzzing.Findings;
using Conformance.Machines.Protocol;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>
/// Where one stack run departs from the model. <see cref="Signature"/> names the departure by its
/// kind only (what was expected, what was seen, not the values), so a minimized stack can be held
/// to the same departure and findings can be bucketed. <see cref="Input"/> is null when only the
/// digest differed: a rerun with DETAIL finds which input.
/// </summary>
public sealed record Discrepancy(FindingKind Kind, string Signature, string Observed, string Expected, FuzzInput? Input, int Filter = -1)
{
    public static string Describe(FuzzInputRecord r) => Stop(r) + r.Kind switch
    {
        FuzzOutcome.Returned => r.Value is < 0 and > -4096 ? $"returned -{-r.Value} ({Errnos(-r.Value)})" : $"returned {r.Value}",
        FuzzOutcome.SigsysCaught =>
            $"SIGSYS (signo {r.Signo}, si_errno {r.SiErrno}, si_code {r.SiCode}, si_call_addr 0x{r.SiCallAddr:x}, si_syscall {r.SiSyscall}, si_arch 0x{r.SiArch:x8}, return register 0x{(ulong)r.Value:x})",
        FuzzOutcome.ThreadDied => "only the thread died",
        FuzzOutcome.ProcessDied => $"the process died by signal {r.Signo}",
        _ => $"record kind {(int)r.Kind}",
    };

    /// <summary>A record's class for signatures: the kind and, for a return, which errno (or a value).</summary>
    public static string Class(FuzzInputRecord r) => ((r.Flags & FuzzInputRecord.TracedFlag) != 0 ? "trace stop, then " : "") + r.Kind switch
    {
        FuzzOutcome.Returned => r.Value is < 0 and > -4096 ? $"errno {Errnos(-r.Value)}" : "a value",
        FuzzOutcome.SigsysCaught => "SIGSYS",
        FuzzOutcome.ThreadDied => "thread death",
        FuzzOutcome.ProcessDied => $"process death by {r.Signo}",
        _ => "?",
    };

    /// <summary>Which fields of two records of the same kind differ (for a signature when the kinds agree).</summary>
    public static string Fields(FuzzInputRecord expected, FuzzInputRecord observed)
    {
        var d = new List<string>();
        if (expected.Value != observed.Value) d.Add("value");
        if (expected.Signo != observed.Signo) d.Add("signo");
        if (expected.Flags != observed.Flags) d.Add("flags");
        if (expected.SiErrno != observed.SiErrno) d.Add(expected.TraceMessage is null ? "si_errno" : "trace message");
        if (expected.SiCode != observed.SiCode) d.Add("si_code");
        if (expected.SiCallAddr != observed.SiCallAddr) d.Add("si_call_addr");
        if (expected.SiSyscall != observed.SiSyscall) d.Add("si_syscall");
        if (expected.SiArch != observed.SiArch) d.Add("si_arch");
        if (expected.Nr != observed.Nr || expected.Slot != observed.Slot || !expected.Args.SequenceEqual(observed.Args)) d.Add("input");
        return string.Join(",", d);
    }

    /// <summary>The seccomp stop a tracer saw before the call's end, if any.</summary>
    static string Stop(FuzzInputRecord r) => (r.Flags & FuzzInputRecord.TracedFlag) == 0 ? ""
        : r.TraceMessage is { } m ? $"a seccomp stop with event message {m}, then " : "a seccomp stop, then ";

    static string Errnos(long e) => Model.Syscalls.ErrnoTable.NameOf((int)e) ?? e.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
