using Conformance.Model.Bpf;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
namespace Conformance.Catalogue.Cases;

/// <summary>A constraint on a returned value: an exact value, a comparison, or a run-time name.</summary>
public sealed record ValueMatch(string Text, Func<long, MatchContext, bool> Test)
{
    /// <summary>What MatcherParser reads back into this constraint; null for one the model made, which is never written.</summary>
    public string? Source { get; init; }

    public override string ToString() => Text;
}

/// <summary>What a value matcher may refer to at judging time.</summary>
public sealed record MatchContext(int Pid, int Tid, int Ppid, long Nr, Func<string, long?> Saved, Func<string, long?>? ResolveName = null)
{
    /// <summary>
    /// The kernel reports a main thread's death as the process's wait status even when other threads
    /// ran on (before 6.0, GroupExitStatus): a main thread that died alone shows as killed.
    /// </summary>
    public bool MainThreadDeathIsStatus { get; init; }
}

/// <summary>What a step must observe. Every field left null is not checked.</summary>
public sealed record Matcher
{
    public ValueMatch? Ret { get; init; }
    public int? Errno { get; init; }
    public int? Killed { get; init; }
    public bool? Core { get; init; }
    public bool? ThreadKilled { get; init; }
    public TrapMatch? Trap { get; init; }
    public bool? NotReached { get; init; }
    public int? Exited { get; init; }
    public int? Stopped { get; init; }
    public string? Contains { get; init; }
    public string? Lacks { get; init; }
    public string? Matches { get; init; }
    public bool? Done { get; init; }
    public bool? Reached { get; init; }
    public string? FilterBytes { get; init; }
    public IReadOnlyList<string>? MetadataFlags { get; init; }
    public NotifMatch? Notif { get; init; }
    public IReadOnlyList<StopMatch>? Stops { get; init; }
    public Matcher? End { get; init; }
    /// <summary>The step's call was skipped by the tracer or notifier and nothing else is said.</summary>
    public bool? Any { get; init; }
    /// <summary>The bytes the call recorded (`record:`) begin with these: a struct the kernel filled in.</summary>
    public byte[]? Recorded { get; init; }
    /// <summary>`cache: model`: the step read /proc/self/seccomp_cache (or thread-self) and it lists what the model's action cache holds.</summary>
    public CacheMatch? Cache { get; init; }

    public override string ToString() => MatcherText.Describe(this);
}

/// <summary>
/// `cache: model` on a read of /proc/self/seccomp_cache or /proc/thread-self/seccomp_cache: the
/// numbers the kernel lists as ALLOW, per arch, are exactly those the model's action cache
/// (ActionCache.Bitmap) holds for the filters of the task the file describes. As read, it says only
/// that; the judge fills in <see cref="Expected"/> from that task's chain before the check.
/// </summary>
public sealed record CacheMatch(CacheExpectation? Expected = null)
{
    public static CacheMatch Model { get; } = new();

    /// <summary>The files it judges: the reading process's (its leader's filters) and the reading thread's own.</summary>
    public const string ProcessFile = "/proc/self/seccomp_cache", ThreadFile = "/proc/thread-self/seccomp_cache";

    public static bool In(Expectation e) => e.Alternatives.Any(a => a.Matcher?.Cache is not null);
}

/// <summary>What the judge knows when it holds a seccomp_cache listing against the model.</summary>
/// <param name="Native">The machine's native ABI: which bitmaps the kernel prints (ActionCacheListing.Arches).</param>
/// <param name="Chain">The task's filters, oldest first, as it supplied them.</param>
/// <param name="CompatRequired">The kernel runs 32-bit code (feature `compat`), so it has CONFIG_COMPAT and prints the compat bitmap.</param>
/// <param name="MaxRead">The read step's max: a read that filled it may have cut the listing.</param>
/// <param name="Task">Whose filters these are, in words.</param>
public sealed record CacheExpectation(Abi Native, IReadOnlyList<Instruction[]> Chain, KernelProfile Profile, bool CompatRequired, uint MaxRead, string Task);

public sealed record TrapMatch(int? Errno, ValueExpr? Syscall, uint? Arch, int? Code, ValueMatch? Ret, bool CallAddrNonZero = true);

public sealed record NotifMatch(ValueExpr? Nr, uint? Arch, IReadOnlyList<ulong?>? Args, ValueExpr? Pid);

public sealed record StopMatch(string? Event, ulong? Msg, ValueExpr? Nr);

/// <summary>
/// One alternative of an expectation: applies when its condition holds. A `model` alternative also
/// needs the model to say something: where it cannot, the next alternative that holds applies.
/// </summary>
public sealed record ExpectAlternative(Condition? When, Matcher? Matcher, bool UseModel)
{
    /// <summary>`observe`: the step is recorded and reported as not judged; it never fails.</summary>
    public bool Observe { get; init; }
}

/// <summary>`when:` — a profile range, a feature, or the machine's arch.</summary>
public sealed record Condition(string? ProfileOp, Version? ProfileVersion, string? Feature, bool FeatureAbsent)
{
    /// <summary>`{arch: x86_64}`: for values that are the machine's own (AUDIT_ARCH_* in a notification).</summary>
    public string? Arch { get; init; }

    /// <summary>Does the condition hold on this machine? Unknown features (no probe yet) count as present.</summary>
    public bool Holds(Executor.Features.KernelFeatures? features, string arch, Version? kernel)
    {
        if (Arch is { } a)
            return arch == a;
        if (Feature is { } f)
            return features is null || features.Has(f) != FeatureAbsent;
        if (kernel is null)
            return true;
        var v = ProfileVersion!;
        int cmp = new Version(kernel.Major, kernel.Minor).CompareTo(new Version(v.Major, Math.Max(v.Minor, 0)));
        return ProfileOp switch { "<" => cmp < 0, "<=" => cmp <= 0, ">" => cmp > 0, ">=" => cmp >= 0, _ => cmp == 0 };
    }

    public override string ToString() =>
        Arch is not null ? $"arch {Arch}"
        : ProfileVersion is not null ? $"profile {ProfileOp}{ProfileVersion}" : $"{(FeatureAbsent ? "!" : "")}feature {Feature}";
}

/// <summary>The alternatives a step's `expect:` lists; the first whose condition holds applies.</summary>
public sealed record Expectation(IReadOnlyList<ExpectAlternative> Alternatives)
{
    public static Expectation Model { get; } = new([new ExpectAlternative(null, null, true)]);

    /// <summary>`expect: observe`: record what the step does, judge nothing.</summary>
    public static Expectation Observe { get; } = new([new ExpectAlternative(null, null, false) { Observe = true }]);

    /// <summary>`expect: [model, observe]`: the model's answer where it has one, else observed and not judged.</summary>
    public static Expectation ModelOrObserve { get; } = new([new ExpectAlternative(null, null, true), new ExpectAlternative(null, null, false) { Observe = true }]);
    public static Expectation Of(Matcher m) => new([new ExpectAlternative(null, m, false)]);
}

static class MatcherText
{
    public static string Describe(Matcher m)
    {
        var parts = new List<string>();
        if (m.Ret is not null) parts.Add($"ret {m.Ret}");
        if (m.Errno is { } e) parts.Add($"errno {Model.Seccomp.Errnos.Name(e)}");
        if (m.Killed is { } k) parts.Add($"killed by {KernelConstants.SignalName(k)}{(m.Core is { } c ? (c ? " with core" : " without core") : "")}");
        if (m.ThreadKilled == true) parts.Add("only the thread killed");
        if (m.Trap is { } t) parts.Add($"SIGSYS trap (errno {t.Errno?.ToString() ?? "any"}, syscall {t.Syscall?.ToString() ?? "any"}, arch {(t.Arch is { } a ? $"0x{a:x8}" : "any")}, code {t.Code?.ToString() ?? "any"}{(t.Ret is not null ? $", call returns {t.Ret}" : "")})");
        if (m.NotReached == true) parts.Add("not reached");
        if (m.Exited is { } x) parts.Add($"exited {x}");
        if (m.Stopped is { } s) parts.Add($"stopped by {KernelConstants.SignalName(s)}");
        if (m.Contains is not null) parts.Add($"contains \"{m.Contains}\"");
        if (m.Lacks is not null) parts.Add($"lacks \"{m.Lacks}\"");
        if (m.Matches is not null) parts.Add($"matches /{m.Matches}/");
        if (m.Done is { } d) parts.Add(d ? "thread ended" : "thread still running");
        if (m.Reached is { } r) parts.Add(r ? "reached" : "not reached");
        if (m.FilterBytes is not null) parts.Add($"the program of filter {m.FilterBytes}");
        if (m.MetadataFlags is not null) parts.Add($"metadata flags [{string.Join(", ", m.MetadataFlags)}]");
        if (m.Notif is not null) parts.Add("a notification");
        if (m.Stops is not null) parts.Add($"{m.Stops.Count} seccomp stop(s)");
        if (m.End is not null) parts.Add($"tracee {m.End}");
        if (m.Any == true) parts.Add("anything");
        if (m.Recorded is { } bytes) parts.Add($"recorded bytes {Convert.ToHexString(bytes).ToLowerInvariant()}...");
        if (m.Cache is { } cache)
            parts.Add(cache.Expected is { } cx
                ? $"the action cache the model computes for {cx.Task} ({cx.Chain.Count} filter(s), {cx.Profile})"
                : "the action cache the model computes");
        return parts.Count == 0 ? "anything" : string.Join(", ", parts);
    }
}
