using Conformance.Catalogue.Steps;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;

namespace Conformance.Catalogue.Cases;

/// <summary>Writes expectations, matchers and conditions in the YAML that <see cref="MatcherParser"/> reads back.</summary>
static class MatcherWriter
{
    public static YamlNode Expectation(Expectation e)
    {
        if (e.Alternatives is [{ When: null, UseModel: true }])
            return StepWriter.Scalar("model");
        if (e.Alternatives is [{ When: null, Observe: true }])
            return StepWriter.Scalar("observe");
        if (e.Alternatives is [{ When: null, UseModel: false, Matcher: { } only }])
            return Matcher(only);
        return new YamlSequenceNode(e.Alternatives.Select(Alternative));
    }

    static YamlNode Alternative(ExpectAlternative a)
    {
        if (a.UseModel && a.When is null) return StepWriter.Scalar("model");
        if (a.Observe && a.When is null) return StepWriter.Scalar("observe");
        var map = new YamlMappingNode();
        if (a.When is { } when) map.Add("when", Condition(when));
        if (a.UseModel) map.Add("model", "true");
        else if (a.Observe) map.Add("observe", "true");
        else foreach (var (k, v) in Matcher(a.Matcher ?? throw new InvalidOperationException("an alternative without a matcher")).Children) map.Add(k, v);
        return map;
    }

    public static YamlMappingNode Condition(Condition c)
    {
        if (c.Arch is { } arch) return StepWriter.FlowMap(("arch", arch));
        if (c.ProfileVersion is { } v) return StepWriter.FlowMap(("profile", $"{c.ProfileOp}{v}"));
        return StepWriter.FlowMap((c.FeatureAbsent ? "no_feature" : "feature", c.Feature!));
    }

    public static YamlMappingNode Matcher(Matcher m)
    {
        var map = new YamlMappingNode { Style = YamlDotNet.Core.Events.MappingStyle.Flow };
        if (m.Ret is { } ret) map.Add("ret", Value(ret));
        if (m.Errno is { } e) map.Add("errno", Errno(e));
        if (m.Killed is { } k) map.Add("killed", StepWriter.SignalName(k));
        if (m.Core is { } core) map.Add("core", Bool(core));
        if (m.ThreadKilled is { } tk) map.Add("thread_killed", Bool(tk));
        if (m.Trap is { } t) map.Add("trap", Trap(t));
        if (m.NotReached is { } nr) map.Add("not_reached", Bool(nr));
        if (m.Exited is { } x) map.Add("exited", StepWriter.Scalar(x));
        if (m.Stopped is { } s) map.Add("stopped", StepWriter.SignalName(s));
        if (m.Contains is { } c) map.Add("contains", c);
        if (m.Lacks is { } l) map.Add("lacks", l);
        if (m.Matches is { } re) map.Add("matches", re);
        if (m.Done is { } d) map.Add("done", Bool(d));
        if (m.Reached is { } r) map.Add("reached", Bool(r));
        if (m.FilterBytes is { } f) map.Add("filter", f);
        if (m.MetadataFlags is { } flags) map.Add("metadata", StepWriter.FlowMap(("flags", Strings(flags))));
        if (m.Notif is { } n) map.Add("notif", Notif(n));
        if (m.Stops is { } stops) map.Add("stops", StepWriter.Flow(stops.Select(Stop)));
        if (m.End is { } end) map.Add("end", Matcher(end));
        if (m.Any is { } any) map.Add("any", Bool(any));
        if (m.Recorded is { } bytes) map.Add("recorded", StepWriter.FlowMap(("bytes", StepWriter.Flow(bytes.Select(b => (YamlNode)StepWriter.Scalar(b))))));
        if (m.Cache is not null) map.Add("cache", "model");
        return map;
    }

    static YamlNode Value(ValueMatch v) =>
        StepWriter.Scalar(v.Source ?? throw new InvalidOperationException($"the value constraint '{v.Text}' was made in code and has no YAML form"));

    static YamlNode Bool(bool b) => StepWriter.Scalar(b ? "true" : "false");

    static YamlNode Strings(IEnumerable<string> items) => StepWriter.Flow(items.Select(i => (YamlNode)StepWriter.Scalar(i)));

    /// <summary>An errno by its name where the name reads back as the same number.</summary>
    static YamlNode Errno(int e)
    {
        var name = Errnos.Name(e);
        return Errnos.TryParse(name, out var back) && back == e ? StepWriter.Scalar(name) : StepWriter.Scalar(e);
    }

    static YamlNode Trap(TrapMatch t)
    {
        if (!t.CallAddrNonZero) throw new InvalidOperationException("a trap matcher that allows a zero call address has no YAML form");
        var map = new YamlMappingNode { Style = YamlDotNet.Core.Events.MappingStyle.Flow };
        if (t.Errno is { } e) map.Add("errno", StepWriter.Scalar(e));
        if (t.Syscall is { } s) map.Add("syscall", Argument(s));
        if (t.Arch is { } a) map.Add("arch", StepWriter.Scalar(a));
        if (t.Code is { } c) map.Add("code", StepWriter.Scalar(c));
        if (t.Ret is { } r) map.Add("ret", Value(r));
        return map;
    }

    static YamlNode Notif(NotifMatch n)
    {
        var map = new YamlMappingNode { Style = YamlDotNet.Core.Events.MappingStyle.Flow };
        if (n.Nr is { } nr) map.Add("nr", Argument(nr));
        if (n.Arch is { } a) map.Add("arch", StepWriter.Scalar(a));
        if (n.Args is { } args) map.Add("args", StepWriter.Flow(args.Select(x => x is { } v ? (YamlNode)StepWriter.Scalar((long)v) : StepWriter.Scalar("any"))));
        if (n.Pid is { } pid) map.Add("pid", Argument(pid));
        return map;
    }

    static YamlNode Stop(StopMatch s)
    {
        var map = new YamlMappingNode { Style = YamlDotNet.Core.Events.MappingStyle.Flow };
        if (s.Event is { } e) map.Add("event", e);
        if (s.Msg is { } msg) map.Add("msg", StepWriter.Scalar((long)msg));
        if (s.Nr is { } nr) map.Add("nr", Argument(nr));
        return map;
    }

    static YamlNode Argument(ValueExpr v) => new StepWriter().Value(v);
}
