using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using Conformance.Machines.Protocol;
using Conformance.Catalogue.Cases;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Judge;

/// <summary>Holds a step's observations against a matcher; says what was seen in words either way.</summary>
public static class MatcherCheck
{
    public sealed record Result(bool Passed, string Observed)
    {
        /// <summary>For a `cache:` matcher, how the listing departed from the model; null for any other matcher.</summary>
        public CacheDeparture? Cache { get; init; }
    }

    public static Result Evaluate(Matcher m, StepView v, MatchContext ctx, Func<string, Instruction[]?> filterProgram)
    {
        var failures = new List<string>();
        void Need(bool ok, string what) { if (!ok) failures.Add(what); }

        var call = v.Call;
        if (m.Ret is not null)
            Need(call is not null && m.Ret.Test(call.Ret, ctx), $"ret {m.Ret}");
        if (m.Errno is { } e)
            Need(call is not null && call.Ret == -e, $"errno {Errnos.Name(e)}");
        if (m.Any == true)
            Need(call is not null, "the call to return");
        if (m.Killed is { } sig)
            Need(v.DiedHere && (v.ObservedFate is null || (v.ObservedFate.Signal == sig && !v.ObservedFate.ThreadOnly)), $"death by {SignalName(sig)}");
        if (m.Core is { } core)
            Need(v.ObservedFate is { Signal: not null } f && CoreOf(f) == core, core ? "a core dump" : "no core dump");
        // For a main thread the observed fate is the process's: its other threads ran on, so it exited
        // with the last one's code, or (before 6.0) kept the main thread's own death.
        if (m.ThreadKilled == true)
            Need(v.DiedHere && (v.ObservedFate is null || v.ObservedFate.ThreadOnly || v.ObservedFate.Signal is null
                || (ctx.MainThreadDeathIsStatus && !CoreOf(v.ObservedFate))), "only the thread to die");
        if (m.NotReached == true)
            Need(!v.Recorded && !v.DiedHere, "the step not to run");
        if (m.Trap is { } t)
            Need(TrapMatches(t, v, ctx), "a SIGSYS trap as described");
        if (m.Exited is { } code)
            Need(WaitStatusOf(v) is { Exited: true } ws && ws.ExitCode == code, $"exit status {code}");
        if (m.Stopped is { } stop)
            Need(WaitStatusOf(v) is { Stopped: true } ws2 && ws2.StopSignal == stop, $"stopped by {SignalName(stop)}");
        if (m.Killed is { } ksig && WaitStatusOf(v) is { } wsk && !v.DiedHere)
        {
            // For a wait step `killed` describes the child: replace the failure above.
            failures.Remove($"death by {SignalName(ksig)}");
            Need(wsk.Signaled && wsk.TermSignal == ksig, $"child killed by {SignalName(ksig)}");
            if (m.Core is { } c2) { failures.Remove(c2 ? "a core dump" : "no core dump"); Need(wsk.CoreDumped == c2, c2 ? "a core dump" : "no core dump"); }
        }
        var text = TextOf(v);
        if (m.Contains is { } contains)
            Need(text is not null && text.Contains(contains, StringComparison.Ordinal), $"text containing \"{contains}\"");
        if (m.Lacks is { } lacks)
            Need(text is not null && !text.Contains(lacks, StringComparison.Ordinal), $"text without \"{lacks}\"");
        if (m.Matches is { } pattern)
            Need(text is not null && Regex.IsMatch(text, pattern, RegexOptions.Multiline), $"text matching /{pattern}/");
        if (m.Done is { } done)
            Need(v.Join is { } j ? j.Done == done : (!v.TimedOut) == done, done ? "the wait to finish" : "the wait to time out");
        if (m.Reached is { } reached)
            Need(v.Marked == reached, reached ? "the mark to be reached" : "the mark not to be reached");
        if (m.FilterBytes is { } name)
            Need(call is not null && filterProgram(name) is { } p && call.Ret == p.Length
                 && call.Recorded.AsSpan(0, Math.Min(call.Recorded.Length, p.Length * 8)).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.AsSpan())),
                $"the instructions of filter {name}");
        if (m.MetadataFlags is { } flags)
        {
            ulong want = flags.Aggregate(0UL, (acc, f) => acc | FilterFlags[f]);
            Need(call is { Recorded.Length: >= 16 } && BinaryPrimitives.ReadUInt64LittleEndian(call.Recorded.AsSpan(8)) == want, $"metadata flags 0x{want:x}");
        }
        if (m.Notif is { } n)
            Need(NotifMatches(n, v, ctx), "a notification as described");
        if (m.Stops is { } stops)
            Need(StopsMatch(stops, v, ctx), $"{stops.Count} stop(s) as described");
        if (m.End is { } end)
            Need(v.TraceEnd is { } te && EndMatches(end, new WaitStatus(te.Status)), $"the tracee to end: {end}");

        if (m.Recorded is { } bytes)
            Need(call is not null && call.Recorded.AsSpan().StartsWith(bytes), $"recorded bytes {Convert.ToHexString(bytes).ToLowerInvariant()}");
        CacheCheck.Result? cache = null;
        if (m.Cache is { } cm)
        {
            // The judge fills in what the model says from the reading task's filters; unresolved, nothing can pass.
            cache = cm.Expected is { } want ? CacheCheck.Compare(want, v.File) : new CacheCheck.Result(false, "no model answer: the judge did not compute the cache");
            Need(cache.Passed, "the model's action cache");
        }

        // Only this matcher needs the raw bytes in the report; other records have their own words.
        // A cache listing is some 15 KB of text: its comparison with the model says what matters.
        var observed = cache is not null ? $"{(v.File is { Ret: >= 0 } read ? $"read {read.Ret} bytes: " : "")}{cache.Observed}" : Describe(v);
        if (m.Recorded is not null && call is not null)
            observed += $"; recorded {Convert.ToHexString(call.Recorded.AsSpan(0, Math.Min(call.Recorded.Length, 64))).ToLowerInvariant()}";
        if (m.Notif is not null && call is { Ret: 0, Recorded.Length: >= SeccompNotifSize })
            observed += "; " + DescribeNotification(call.Recorded);
        if (m.MetadataFlags is not null && call is { Recorded.Length: >= 16 })
            observed += $"; metadata flags 0x{BinaryPrimitives.ReadUInt64LittleEndian(call.Recorded.AsSpan(8)):x}";
        return new Result(failures.Count == 0, observed) { Cache = cache?.Departure };
    }

    /// <summary>struct seccomp_notif: id, pid, flags, then seccomp_data (nr, arch, ip, args).</summary>
    static string DescribeNotification(byte[] b)
    {
        var args = Enumerable.Range(0, 6).Select(i => $"0x{BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(32 + 8 * i)):x}");
        return $"notification id {BinaryPrimitives.ReadUInt64LittleEndian(b):x} pid {BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(8))} " +
               $"nr {BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(16))} arch 0x{BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(20)):x8} args [{string.Join(", ", args)}]";
    }

    static string Excerpt(string text)
    {
        const int Max = 2000;
        var flat = text.TrimEnd('\n').Replace("\n", " | ", StringComparison.Ordinal);
        return flat.Length <= Max ? flat : flat[..Max] + $" ... ({flat.Length - Max} more characters)";
    }

    static bool CoreOf(Fate f) => f.CoreDumped;

    static bool EndMatches(Matcher end, WaitStatus ws) =>
        (end.Exited is not { } x || (ws.Exited && ws.ExitCode == x)) && (end.Killed is not { } k || (ws.Signaled && ws.TermSignal == k));

    static WaitStatus? WaitStatusOf(StepView v) =>
        v.IsWait && v.Call is { Ret: > 0, Recorded.Length: >= 4 } c ? new WaitStatus(BinaryPrimitives.ReadInt32LittleEndian(c.Recorded)) : null;

    static string? TextOf(StepView v)
    {
        if (v.File is { } f) return f.Text;
        var reads = v.Calls.Where(c => c.Ret > 0).ToList();
        if (reads.Count == 0) return v.Calls.Any() ? "" : null;
        var sb = new StringBuilder();
        foreach (var r in reads)
            sb.Append(Encoding.UTF8.GetString(r.Recorded, 0, (int)Math.Min(r.Ret, r.Recorded.Length))).Append('\n');
        return sb.ToString();
    }

    static bool TrapMatches(TrapMatch t, StepView v, MatchContext ctx)
    {
        foreach (var s in v.Signals)
        {
            if (s.Signo != SIGSYS) continue;
            if (t.Errno is { } e && s.Errno != e) continue;
            if (t.Code is { } c && s.Code != c) continue;
            if (t.Arch is { } a && s.Arch != a) continue;
            if (t.Syscall is { } sys && ValueOf(sys, ctx) is { } nr && s.Syscall != nr) continue;
            if (t.CallAddrNonZero && s.CallAddr == 0) continue;
            if (t.Ret is { } r && (v.Call is not { } call || !r.Test(call.Ret, ctx))) continue;
            return true;
        }
        return false;
    }

    static bool NotifMatches(NotifMatch n, StepView v, MatchContext ctx)
    {
        if (v.Call is not { Ret: 0, Recorded.Length: >= 80 } c) return false;
        var b = c.Recorded.AsSpan();
        int pid = BinaryPrimitives.ReadInt32LittleEndian(b[8..]);
        int nr = BinaryPrimitives.ReadInt32LittleEndian(b[16..]);
        uint arch = BinaryPrimitives.ReadUInt32LittleEndian(b[20..]);
        if (n.Nr is { } wantNr && ValueOf(wantNr, ctx) is { } nv && nr != nv) return false;
        if (n.Arch is { } wantArch && arch != wantArch) return false;
        if (n.Pid is { } wantPid && ValueOf(wantPid, ctx) is { } pv && pid != pv) return false;
        if (n.Args is { } args)
            for (int i = 0; i < args.Count && i < 6; i++)
                if (args[i] is { } want && BinaryPrimitives.ReadUInt64LittleEndian(b[(32 + 8 * i)..]) != want) return false;
        return true;
    }

    static bool StopsMatch(IReadOnlyList<StopMatch> expected, StepView v, MatchContext ctx)
    {
        bool onlySeccomp = expected.All(s => s.Event is null or "seccomp");
        var seen = v.Stops.Where(s => !onlySeccomp || s.IsSeccompStop).ToList();
        if (seen.Count != expected.Count) return false;
        for (int i = 0; i < seen.Count; i++)
        {
            var want = expected[i];
            var got = seen[i];
            if (want.Event is { } ev && EventName(got) != ev) return false;
            if (want.Msg is { } msg && got.EventMsg != msg) return false;
            if (want.Nr is { } nr && ValueOf(nr, ctx with { Nr = got.Nr }) is { } n && got.Nr != n) return false;
        }
        return true;
    }

    static string EventName(TraceStopObservation s) =>
        s.IsSeccompStop ? "seccomp"
        : s.WaitStatus is { Stopped: true } w && w.StopSignal == (SIGTRAP | 0x80) ? "syscall"
        : s.Event != 0 ? "other" : "signal";

    /// <summary>A value the judge can compute: a constant, a syscall name (per the step's ABI, passed in ctx.Nr), or a saved name.</summary>
    static long? ValueOf(ValueExpr e, MatchContext ctx) => e switch
    {
        IntValue i => i.Value,
        SavedValue s => ctx.Saved(s.Name) is { } v ? v + s.Add : null,
        RuntimeValue { Kind: RuntimeValueKind.Pid } => ctx.Pid,
        RuntimeValue { Kind: RuntimeValueKind.Tid } => ctx.Tid,
        RuntimeValue { Kind: RuntimeValueKind.Ppid } => ctx.Ppid,
        SyscallNameValue n => ctx.ResolveName?.Invoke(n.Name),
        _ => null,
    };

    /// <summary>What the step saw, in words, for reports.</summary>
    public static string Describe(StepView v)
    {
        var parts = new List<string>();
        if (v.Call is { } c)
            parts.Add(c.Failed ? $"ret {c.Ret} ({Errnos.Name(c.Errno)})" : $"ret {c.Ret}");
        foreach (var s in v.Signals)
            parts.Add($"{SignalName(s.Signo)} to the handler (code {s.Code}, errno {s.Errno}, syscall {s.Syscall}, arch 0x{s.Arch:x8}, call_addr 0x{s.CallAddr:x})");
        if (WaitStatusOf(v) is { } ws) parts.Add($"child {ws}");
        if (v.File is { } f) parts.Add(f.Ret < 0 ? $"read failed ({Errnos.Name((int)-f.Ret)})" : $"read {f.Ret} bytes");
        // A text expectation that fails is only explained by the text itself.
        if ((v.ReadsText || v.File is { Ret: > 0 }) && TextOf(v) is { } text)
            parts.Add($"text \"{Excerpt(text)}\"");
        if (v.Join is { } j) parts.Add(j.Done ? "thread ended" : "thread still running");
        if (v.Marked) parts.Add("reached");
        var stops = v.Stops.ToList();
        if (stops.Count > 0) parts.Add($"{stops.Count} stop(s): {string.Join("; ", stops.Select(s => $"{EventName(s)} msg 0x{s.EventMsg:x} nr {s.Nr}"))}");
        if (v.TraceEnd is { } te) parts.Add($"tracee {new WaitStatus(te.Status)}");
        if (v.TimedOut) parts.Add("timed out");
        if (v.DiedHere) parts.Add(v.ObservedFate is { } fate ? $"died here: {fate}" : "died here");
        if (parts.Count == 0) parts.Add("nothing recorded");
        return string.Join("; ", parts);
    }
}
