using System.Globalization;
using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing;

/// <summary>Where plain steps go, and what they may do there.</summary>
internal sealed record Section(bool MayKill, bool MaySignal, bool MayLowerPrivilege, bool MayInstall)
{
    /// <summary>The case root: it must live to wait for every episode.</summary>
    public static readonly Section Root = new(MayKill: false, MaySignal: true, MayLowerPrivilege: false, MayInstall: true);

    /// <summary>A process before its protocol steps: it must live to play its part.</summary>
    public static readonly Section Prefix = new(MayKill: false, MaySignal: true, MayLowerPrivilege: true, MayInstall: true);

    /// <summary>A tracer or supervisor: it must live, and keep the privileges ptrace needs.</summary>
    public static readonly Section Keeper = new(MayKill: false, MaySignal: true, MayLowerPrivilege: false, MayInstall: true);

    /// <summary>A thread's turn: it owes a flag afterwards, and SIGSYS's disposition belongs to the whole process.</summary>
    public static readonly Section Turn = new(MayKill: false, MaySignal: false, MayLowerPrivilege: true, MayInstall: true);

    /// <summary>A process's last steps, single-threaded and owing nothing: a call may end it here.</summary>
    public static readonly Section Tail = new(MayKill: true, MaySignal: true, MayLowerPrivilege: true, MayInstall: true);
}

/// <summary>Plain steps: calls with generated arguments, installs of random filters, privileges, SIGSYS handling, marks.</summary>
internal sealed partial class ScenarioBuilder
{
    List<ScenarioStep> Plain(ActorContext ctx, Section sec, int count)
    {
        var steps = new List<ScenarioStep>();
        for (int i = 0; i < count; i++)
        {
            var kind = _r.Weighted(
                ("call", 50),
                ("int80", _t.Has("int80") && ctx.Abi == Abi.X86_64 ? 8 : 0),
                ("install", sec.MayInstall ? 16 : 0),
                ("nnp", ctx.Nnp ? 1 : 6),
                ("privilege", sec.MayLowerPrivilege && !ctx.PrivilegeDropped ? 4 : 0),
                ("signal", sec.MaySignal && ctx.Process.Threads == 1 ? 6 : 0),
                ("mask", 6),
                ("mark", 3));
            ScenarioStep step = kind switch
            {
                "call" => Call(ctx, sec.MayKill, threadOnly: false),
                "int80" => Call(ctx, sec.MayKill, threadOnly: false, int80: true),
                "install" => RandomInstall(ctx),
                "nnp" => Nnp(ctx),
                "privilege" => LowerPrivilege(ctx),
                "signal" => Signal(ctx),
                "mask" => Mask(ctx),
                _ => Mk(new ScMark(_r.Between(1, 999))),
            };
            steps.Add(Judged(ctx, step));
            if (step is ScInstall)
                steps.AddRange(CacheRead(ctx, ReadAfterInstall));
        }
        return steps;
    }

    /// <summary>
    /// A process's last steps: plain steps that may end it, then perhaps an exec (native or 32-bit)
    /// whose image runs more of them, or an explicit exit.
    /// </summary>
    List<ScenarioStep> Tail(ActorContext ctx, int count, bool mayExec)
    {
        var steps = Plain(ctx, Section.Tail, count);
        steps.AddRange(CacheRead(ctx, ReadAtEnd));
        if (_r.Chance(40))
            steps.Add(Judged(ctx, Call(ctx, mayKill: true, threadOnly: false, preferLethal: true)));
        bool canExec = mayExec && ctx.Process.Threads == 1;
        if (canExec && _r.Chance(30))
        {
            bool compat = _t.Has("compat") && _r.Chance(45);
            ctx.Exec(compat ? _t.CompatAbi : _t.NativeAbi);
            var body = MaybeHandler(ctx).Concat(Plain(ctx, Section.Tail, _r.Between(1, 4))).ToList();
            body.AddRange(CacheRead(ctx, ReadAtEnd));
            steps.Add(Judged(ctx, Mk(new ScExec(body, compat))));
        }
        else if (_r.Chance(15))
            steps.Add(Mk(new ScExit(_r.Pick(new[] { 0, 1, 3, 42, 255 })), judge: Judging.Default));
        return steps;
    }

    /// <summary>
    /// A call of a harmless number with generated arguments that cannot block and, unless allowed
    /// here, cannot end the actor. Numbers the actor's own filters catch come first, so most calls
    /// meet a rule; <paramref name="preferLethal"/> looks for one that may end it (a tail's last call).
    /// </summary>
    ScCall Call(ActorContext ctx, bool mayKill, bool threadOnly, bool int80 = false, bool preferLethal = false)
    {
        var abi = int80 ? _t.CompatAbi : ctx.Abi;
        var caught = ctx.Filters.SelectMany(f => f.Filter.Rules).Where(r => r.Abi == abi)
            .SelectMany(r => r.IsRange ? [_r.Between(r.RangeLow, r.RangeHigh)] : r.Numbers).Distinct().ToList();
        bool Allowed(int nr, out bool lethal)
        {
            lethal = ctx.MayKill(abi, nr, out var processWide);
            return !ctx.MayBlock(abi, nr) && (!lethal || (mayKill && !(threadOnly && processWide)));
        }
        if (preferLethal)
            foreach (var nr in _r.Shuffle(caught))
                if (Allowed(nr, out var lethal) && lethal)
                    return NewCall(abi, nr, int80);
        for (int attempt = 0; attempt < 16; attempt++)
        {
            int nr = _r.Weighted((0, caught.Count > 0 ? 55 : 0), (1, 20), (2, 15), (3, 10)) switch
            {
                0 => _r.Pick(caught),
                1 => _r.Pick(_pool[abi]),
                2 => HarmlessCalls.Number(abi, _r.Pick(HarmlessCalls.Named).Name),
                _ => FreeNumber(),
            };
            if (Allowed(nr, out _))
                return NewCall(abi, nr, int80);
        }
        return NewCall(abi, FreeNumber(), int80);
    }

    /// <summary>Often a process starts by catching SIGSYS, so its TRAPs are judged as deliveries rather than deaths.</summary>
    IEnumerable<ScenarioStep> MaybeHandler(ActorContext ctx)
    {
        if (ctx.Handler || !_r.Chance(35))
            return [];
        ctx.Handler = true;
        return [Mk(new ScSignal("handler"), judge: Judging.Default)];
    }

    ScCall NewCall(Abi abi, int nr, bool int80, CallRole role = CallRole.Plain, int bundle = 0, Interleavings part = Interleavings.None)
    {
        var name = HarmlessCalls.NameOf(abi, nr);
        return Mk(new ScCall(name, nr, Args(), int80, HarmlessCalls.AllowedFor(name)) { Role = role }, bundle, part: part);
    }

    IReadOnlyList<string> Args()
    {
        int n = _r.Weighted((0, 25), (1, 30), (2, 20), (3, 15), (6, 10));
        return Enumerable.Range(0, n).Select(_ => Arg()).ToList();
    }

    string Arg() => _r.Weighted(("value", 72), ("small", 10), ("pid", 4), ("tid", 3), ("ppid", 3), ("buf", 2), ("minus", 3), ("null", 3)) switch
    {
        "value" => Number(_r.Chance(80) ? _r.Pick(_values) : _r.Pick(_values) + (ulong)_r.Pick(new[] { 1, -1 })),
        "small" => _r.Next(8).ToString(CultureInfo.InvariantCulture),
        "minus" => "-1",
        var runtime => runtime,
    };

    static string Number(ulong v) => v < 4096 ? v.ToString(CultureInfo.InvariantCulture) : $"0x{v:x}";

    ScenarioStep Nnp(ActorContext ctx)
    {
        ctx.Nnp = true;
        return Mk(new ScNnp());
    }

    ScenarioStep LowerPrivilege(ActorContext ctx)
    {
        ctx.PrivilegeDropped = true;
        return _r.Weighted(("sys_admin", 40), ("all", 20), ("others", 15), ("setuid", 25)) switch
        {
            "sys_admin" => Mk(new ScDropCaps(["SYS_ADMIN"])),
            "all" => Mk(new ScDropCaps(null)),
            "others" => Mk(new ScDropCaps(_r.Shuffle(new[] { "NET_ADMIN", "SYS_TIME", "MKNOD", "SYS_ADMIN", "CHOWN" }).Take(2).ToList())),
            _ => Mk(new ScSetuid(65534)),
        };
    }

    ScenarioStep Signal(ActorContext ctx)
    {
        var disposition = _r.Weighted(("handler", 65), ("ignore", 15), ("default", 20));
        ctx.Handler = disposition == "handler";
        // SIGSYS's disposition is the process's: every thread spawned later shares it.
        return Mk(new ScSignal(disposition), judge: Judging.Default);
    }

    ScenarioStep Mask(ActorContext ctx)
    {
        bool block = _r.Chance(40);
        ctx.Blocked = block;
        return Mk(new ScSigMask(block), judge: Judging.Default);
    }

    /// <summary>
    /// An install of a random filter (new, or one the case already has), with random flags. A filter
    /// TSYNCed while other threads live is tame (it cannot end or block anyone: it may land on every
    /// thread) and makes the siblings' later steps observed. A filter Linux refuses, or flags it
    /// refuses, are only ever tame too: a kernel that wrongly attaches them must not hang the case.
    /// </summary>
    ScenarioStep RandomInstall(ActorContext ctx, FilterSpec? chosen = null)
    {
        bool multi = ctx.Process.Threads > 1;
        var flags = new List<string>();
        string? fprog = null;
        if (chosen is null && _t.HasFlag("WAIT_KILLABLE_RECV") && _r.Chance(4))
            flags.Add("WAIT_KILLABLE_RECV");   // without NEW_LISTENER: EINVAL
        else
        {
            if (chosen is null && _r.Chance(5))
                // The kernel's checks of the struct itself: EFAULT, EINVAL for a length of 0 or one short.
                fprog = _r.Pick(new[] { "null", "bad", "filter-null", "filter-bad", "len=0", "[filter-null, len=0]", "short" });
            if (_t.HasFlag("TSYNC") && _r.Chance(multi ? 45 : 15))
            {
                flags.Add("TSYNC");
                if (_t.HasFlag("TSYNC_ESRCH") && _r.Chance(50)) flags.Add("TSYNC_ESRCH");
            }
            if (_t.HasFlag("LOG") && _r.Chance(15)) flags.Add("LOG");
            if (_t.HasFlag("SPEC_ALLOW") && _r.Chance(10)) flags.Add("SPEC_ALLOW");
        }
        bool badFlags = flags.Contains("WAIT_KILLABLE_RECV");
        bool tsync = flags.Contains("TSYNC");
        var filter = chosen ?? ReuseOrNewFilter(tame: badFlags || fprog is not null || (tsync && multi) || _r.Chance(30));
        if (tsync && multi && !CanTsync(ctx, filter))
            flags.RemoveAll(f => f.StartsWith("TSYNC", StringComparison.Ordinal));
        tsync = flags.Contains("TSYNC");
        if (fprog is not null && !_tame.Contains(filter.Name))
            fprog = null;   // only a tame filter is ever installed in a way that must fail
        if (fprog == "short")
            fprog = $"len={filter.Render().Count(c => c == '\n') - 1}";
        // A refused install attaches nothing (and a filter Linux refuses is never attached: Attach knows).
        if (!badFlags && fprog is null)
            ctx.Attach(filter, listener: false, listenerFd: null, tsync);
        var step = Mk(new ScInstall(filter.Name, flags, null) { ViaPrctl = flags.Count == 0 && fprog is null && _r.Chance(15), Fprog = fprog });
        if (tsync && multi)
        {
            if (!_tsyncBy.TryGetValue(ctx.Process, out var by)) _tsyncBy[ctx.Process] = by = [];
            by.Add(ctx);
        }
        return step;
    }

    /// <summary>
    /// TSYNC gives every sibling the caller's whole chain: each filter the siblings did not already
    /// have from their creation must be tame, or a sibling could die or block somewhere it owes a flag.
    /// </summary>
    bool CanTsync(ActorContext ctx, FilterSpec filter)
    {
        var shared = ctx.Process.SharedAtSpawn ?? [];
        return ctx.Filters.Select(f => f.Filter).Append(filter).Where(f => !shared.Contains(f))
            .All(f => f.AllLeaves.All(a => !a.Lethal(sigsysCaught: false)));
    }
}
