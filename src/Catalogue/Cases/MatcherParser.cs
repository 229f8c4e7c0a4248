using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;

namespace Conformance.Catalogue.Cases;

/// <summary>Reads `expect:`, `allowed:` and `result:` values into matchers and expectations.</summary>
sealed class MatcherParser(YamlNodes y)
{
    static readonly string[] MatcherKeys =
    [
        "ret", "errno", "killed", "core", "thread_killed", "trap", "not_reached", "exited", "stopped", "contains", "lacks",
        "matches", "done", "reached", "filter", "metadata", "notif", "stops", "end", "any", "recorded",
        "cache",
    ];

    public Expectation Expectation(YamlNode node)
    {
        if (node is YamlScalarNode s && s.Value == "model")
            return Cases.Expectation.Model;
        if (node is YamlScalarNode o && o.Value == "observe")
            return Cases.Expectation.Observe;
        if (node is YamlMappingNode m)
            return Cases.Expectation.Of(Matcher(m));
        var alternatives = new List<ExpectAlternative>();
        foreach (var item in y.Sequence(node, "expect").Children)
        {
            if (item is YamlScalarNode si && si.Value == "model")
            {
                alternatives.Add(new ExpectAlternative(null, null, true));
                continue;
            }
            if (item is YamlScalarNode so && so.Value == "observe")
            {
                alternatives.Add(new ExpectAlternative(null, null, false) { Observe = true });
                continue;
            }
            var map = y.Mapping(item, "an expectation alternative");
            Condition? when = null;
            if (YamlNodes.Get(map, "when") is { } w)
                when = Condition(w);
            bool model = YamlNodes.Get(map, "model") is { } mn && y.Bool(mn, "model");
            bool observe = YamlNodes.Get(map, "observe") is { } on && y.Bool(on, "observe");
            if (model && observe) throw y.Error(item, "an alternative is model or observe, not both");
            var rest = new YamlMappingNode(map.Children.Where(kv => y.Scalar(kv.Key, "key") is not ("when" or "model" or "observe")));
            if (observe && rest.Children.Count > 0) throw y.Error(item, "observe judges nothing: it takes no matcher");
            alternatives.Add(new ExpectAlternative(when, model || observe ? null : Matcher(rest, map), model) { Observe = observe });
        }
        if (alternatives.Count == 0)
            throw y.Error(node, "expect lists no alternative");
        return new Expectation(alternatives);
    }

    public Condition Condition(YamlNode node)
    {
        var map = y.Mapping(node, "when");
        y.OnlyKeys(map, "when", "profile", "feature", "no_feature", "arch");
        if (YamlNodes.Get(map, "arch") is { } a)
        {
            var arch = y.Scalar(a, "arch");
            return arch is "x86_64" or "aarch64"
                ? new Condition(null, null, null, false) { Arch = arch }
                : throw y.Error(a, $"arch '{arch}' must be x86_64 or aarch64");
        }
        if (YamlNodes.Get(map, "profile") is { } p)
        {
            var text = y.Scalar(p, "profile").Replace(" ", "");
            var op = new string(text.TakeWhile(c => c is '<' or '>' or '=').ToArray());
            if (op is not ("<" or "<=" or ">" or ">=" or "=" or "==") || !Version.TryParse(text[op.Length..] + (text.Count(c => c == '.') == 0 ? ".0" : ""), out var v))
                throw y.Error(p, $"profile condition '{text}' must look like \">=4.8\" or \"<5.0\"");
            return new Condition(op, v, null, false);
        }
        if (YamlNodes.Get(map, "feature") is { } f)
            return new Condition(null, null, y.Scalar(f, "feature"), false);
        if (YamlNodes.Get(map, "no_feature") is { } nf)
            return new Condition(null, null, y.Scalar(nf, "no_feature"), true);
        throw y.Error(node, "when needs profile, feature, no_feature or arch");
    }

    public Matcher Matcher(YamlNode node, YamlNode? positionFor = null)
    {
        var map = y.Mapping(node, "a matcher");
        y.OnlyKeys(map, "a matcher", MatcherKeys);
        if (map.Children.Count == 0)
            throw y.Error(positionFor ?? node, "an empty matcher checks nothing");
        var m = new Matcher();
        foreach (var (k, v) in map.Children)
        {
            var key = y.Scalar(k, "key");
            m = key switch
            {
                "ret" => m with { Ret = Value(v) },
                "errno" => m with { Errno = Errno(v) },
                "killed" => m with { Killed = Signal(v) },
                "core" => m with { Core = y.Bool(v, "core") },
                "thread_killed" => m with { ThreadKilled = y.Bool(v, "thread_killed") },
                "trap" => m with { Trap = Trap(v) },
                "not_reached" => m with { NotReached = y.Bool(v, "not_reached") },
                "exited" => m with { Exited = y.Int(v, "exited") },
                "stopped" => m with { Stopped = Signal(v) },
                "contains" => m with { Contains = y.Scalar(v, "contains") },
                "lacks" => m with { Lacks = y.Scalar(v, "lacks") },
                "matches" => m with { Matches = y.Scalar(v, "matches") },
                "done" => m with { Done = y.Bool(v, "done") },
                "reached" => m with { Reached = y.Bool(v, "reached") },
                "filter" => m with { FilterBytes = y.Scalar(v, "filter") },
                "metadata" => m with { MetadataFlags = Metadata(v) },
                "notif" => m with { Notif = Notif(v) },
                "stops" => m with { Stops = y.Sequence(v, "stops").Children.Select(Stop).ToList() },
                "end" => m with { End = Matcher(v) },
                "any" => m with { Any = y.Bool(v, "any") },
                "recorded" => m with { Recorded = Data(v) },
                "cache" => m with { Cache = y.Scalar(v, "cache") == "model" ? CacheMatch.Model : throw y.Error(v, "cache takes `model`: the listing the model's action cache computes") },
                _ => throw y.Error(k, $"unknown matcher '{key}'"),
            };
        }
        return m;
    }

    /// <summary>`{u16: [80, 24, 64]}` (or bytes, u32, u64): little-endian values laid end to end.</summary>
    byte[] Data(YamlNode v)
    {
        var map = y.Mapping(v, "recorded");
        y.OnlyKeys(map, "recorded", "bytes", "u16", "u32", "u64");
        if (map.Children.Count != 1) throw y.Error(v, "recorded takes one of bytes, u16, u32, u64");
        var (k, list) = map.Children.First();
        var kind = y.Scalar(k, "kind");
        int width = kind switch { "bytes" => 1, "u16" => 2, "u32" => 4, _ => 8 };
        var bytes = new List<byte>();
        foreach (var item in y.Sequence(list, kind).Children)
        {
            var n = Constant(item, kind);
            if (width < 8 && (n < -(1L << (8 * width - 1)) || n >= 1L << (8 * width)))
                throw y.Error(item, $"{n} does not fit in {kind}");
            for (int i = 0; i < width; i++) bytes.Add((byte)(n >> (8 * i)));
        }
        return bytes.Count > 0 ? [.. bytes] : throw y.Error(v, "recorded lists no value");
    }

    int Errno(YamlNode v)
    {
        var t = y.Scalar(v, "errno");
        if (Errnos.TryParse(t, out var e)) return e;
        if (CaseValues.TryParseInteger(t, out var n) && n is >= 0 and <= 65535) return (int)n;
        throw y.Error(v, $"'{t}' is not an errno name or number");
    }

    int Signal(YamlNode v)
    {
        var t = y.Scalar(v, "signal");
        if (KernelConstants.Signals.TryGetValue(t, out var s)) return s;
        if (CaseValues.TryParseInteger(t, out var n) && n is > 0 and < 65) return (int)n;
        throw y.Error(v, $"'{t}' is not a signal name or number");
    }

    TrapMatch Trap(YamlNode v)
    {
        var map = y.Mapping(v, "trap");
        y.OnlyKeys(map, "trap", "errno", "syscall", "arch", "code", "ret");
        int? errno = YamlNodes.Get(map, "errno") is { } e ? (int)Constant(e, "trap errno") : null;
        ValueExpr? sys = YamlNodes.Get(map, "syscall") is { } s ? Argument(s) : null;
        uint? arch = YamlNodes.Get(map, "arch") is { } a ? (uint)Constant(a, "trap arch") : null;
        int? code = YamlNodes.Get(map, "code") is { } c ? y.Int(c, "trap code") : null;
        ValueMatch? ret = YamlNodes.Get(map, "ret") is { } r ? Value(r) : null;
        return new TrapMatch(errno, sys, arch, code, ret);
    }

    IReadOnlyList<string> Metadata(YamlNode v)
    {
        var map = y.Mapping(v, "metadata");
        y.OnlyKeys(map, "metadata", "flags");
        var flags = YamlNodes.Get(map, "flags") is { } f ? y.Strings(f, "flags") : [];
        foreach (var flag in flags)
            if (!KernelConstants.FilterFlags.ContainsKey(flag))
                throw y.Error(v, $"unknown filter flag '{flag}'");
        return flags;
    }

    NotifMatch Notif(YamlNode v)
    {
        var map = y.Mapping(v, "notif");
        y.OnlyKeys(map, "notif", "nr", "arch", "args", "pid");
        var nr = YamlNodes.Get(map, "nr") is { } n ? Argument(n) : null;
        uint? arch = YamlNodes.Get(map, "arch") is { } a ? (uint)Constant(a, "arch") : null;
        IReadOnlyList<ulong?>? args = YamlNodes.Get(map, "args") is { } ar
            ? y.Sequence(ar, "args").Children.Select(x => y.Scalar(x, "arg") == "any" ? (ulong?)null : (ulong)Constant(x, "arg")).ToList()
            : null;
        var pid = YamlNodes.Get(map, "pid") is { } p ? Argument(p) : null;
        return new NotifMatch(nr, arch, args, pid);
    }

    StopMatch Stop(YamlNode v)
    {
        var map = y.Mapping(v, "a stop");
        y.OnlyKeys(map, "a stop", "event", "msg", "nr");
        var ev = YamlNodes.Get(map, "event") is { } e ? y.Scalar(e, "event") : null;
        if (ev is not (null or "seccomp" or "signal" or "syscall" or "exit" or "other"))
            throw y.Error(v, $"stop event '{ev}' must be seccomp, syscall, signal, exit or other");
        ulong? msg = YamlNodes.Get(map, "msg") is { } m ? (ulong)Constant(m, "msg") : null;
        var nr = YamlNodes.Get(map, "nr") is { } n ? Argument(n) : null;
        return new StopMatch(ev, msg, nr);
    }

    long Constant(YamlNode v, string what)
    {
        var t = y.Scalar(v, what);
        return CaseValues.ParseConstant(t, msg => y.Error(v, $"{what}: {msg}"));
    }

    ValueExpr Argument(YamlNode v) => CaseValues.ParseArgument(y.Scalar(v, "value"), msg => y.Error(v, msg));

    /// <summary>A value matcher: 5, -EPERM, ">=0", "!=0", pid, ppid, tid, nr, $name.</summary>
    public ValueMatch Value(YamlNode v) => Constraint(v) with { Source = y.Scalar(v, "value").Trim() };

    ValueMatch Constraint(YamlNode v)
    {
        var t = y.Scalar(v, "value").Trim();
        foreach (var op in new[] { ">=", "<=", "!=", ">", "<", "==" })
            if (t.StartsWith(op, StringComparison.Ordinal))
            {
                var rhs = t[op.Length..].Trim();
                if (!CaseValues.TryParseConstant(rhs, out var n)) throw y.Error(v, $"'{t}': '{rhs}' is not a number");
                Func<long, MatchContext, bool> test = op switch
                {
                    ">=" => (x, _) => x >= n, "<=" => (x, _) => x <= n, "!=" => (x, _) => x != n,
                    ">" => (x, _) => x > n, "<" => (x, _) => x < n, _ => (x, _) => x == n,
                };
                return new ValueMatch(t, test);
            }
        switch (t)
        {
            case "pid": return new ValueMatch("pid", (x, c) => x == c.Pid);
            case "tid": return new ValueMatch("tid", (x, c) => x == c.Tid);
            case "ppid": return new ValueMatch("ppid", (x, c) => x == c.Ppid);
            case "nr": return new ValueMatch("the syscall number", (x, c) => x == c.Nr);
            case "any": return new ValueMatch("any", (_, _) => true);
        }
        if (t.StartsWith('$'))
        {
            var saved = CaseValues.ParseSaved(t, msg => y.Error(v, msg));
            return new ValueMatch(t, (x, c) => c.Saved(saved.Name) is { } s && x == s + saved.Add);
        }
        if (CaseValues.TryParseConstant(t, out var exact))
            return new ValueMatch(exact.ToString(), (x, _) => x == exact);
        throw y.Error(v, $"'{t}' is not a value matcher (a number, >=N, !=N, pid, ppid, tid, nr, $name)");
    }
}
