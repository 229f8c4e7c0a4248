using Conformance.Catalogue.Steps;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Cases;

/// <summary>
/// Reads the `steps:` list: finds each item's kind in <see cref="StepKinds"/>, holds it to the keys
/// that kind accepts, and lets the kind read it (macros such as nnp or install expand into the
/// calls they stand for). The helpers below read the values kinds share.
/// </summary>
sealed class StepParser(YamlNodes y, MatcherParser matchers, IReadOnlyDictionary<string, FilterSource> filters)
{
    public YamlNodes Y => y;
    public MatcherParser Matchers => matchers;
    public IReadOnlyDictionary<string, FilterSource> Filters => filters;

    public IReadOnlyList<Step> Steps(YamlNode node)
    {
        var list = new List<Step>();
        foreach (var item in y.Sequence(node, "steps").Children)
            Parse(item, list);
        return list;
    }

    public void Parse(YamlNode item, List<Step> into)
    {
        YamlMappingNode map;
        StepKind? kind;
        YamlNode value;
        if (item is YamlScalarNode scalar)
        {
            var keyword = scalar.Value ?? "";
            kind = StepKinds.Find(keyword) ?? throw y.Error(item, $"unknown step '{keyword}' (known: {string.Join(", ", StepKinds.Keywords)})");
            map = new YamlMappingNode();
            value = scalar;
        }
        else
        {
            map = y.Mapping(item, "a step");
            var kinds = map.Children.Keys.Select(k => y.Scalar(k, "key")).Where(k => StepKinds.Find(k) is not null).ToList();
            if (kinds.Count != 1)
                throw y.Error(item, kinds.Count == 0
                    ? $"a step needs one of: {string.Join(", ", StepKinds.Keywords)}"
                    : $"a step has one kind, this one has {string.Join(" and ", kinds)}");
            kind = StepKinds.Find(kinds[0])!;
            // By the key node that was found: a tagged key (`!x set_flag: 0`) is not equal to a plain one.
            value = map.Children.First(kv => y.Scalar(kv.Key, "key") == kind.Keyword).Value;
            var accepted = kind.AcceptedKeys;
            foreach (var key in map.Children.Keys)
            {
                var k = y.Scalar(key, "key");
                if (!accepted.Contains(k))
                    throw y.Error(key, $"unknown key '{k}' in a {kind.Keyword} step (a {kind.Keyword} step takes: {string.Join(", ", accepted)})");
            }
        }
        kind.ParseInto(this, item, value, map, into);
    }

    /// <summary>The shared keys (`expect`, `when`, `save`) on a step its kind has read.</summary>
    public Step WithCommonKeys(Step step, YamlMappingNode map)
    {
        if (YamlNodes.Get(map, "expect") is { } e)
        {
            step = step with { Expect = matchers.Expectation(e) };
            if (CacheMatch.In(step.Expect) && step is not ReadStep { Path: CacheMatch.ProcessFile or CacheMatch.ThreadFile })
                throw y.Error(e, $"cache: judges a read of {CacheMatch.ProcessFile} or {CacheMatch.ThreadFile} (the reading task's own file)");
        }
        if (YamlNodes.Get(map, "when") is { } w)
            step = step with { When = matchers.Condition(w) };
        if (YamlNodes.Get(map, "save") is { } s)
        {
            var name = y.Scalar(s, "save");
            if (!CaseValues.IsName(name)) throw y.Error(s, $"save name '{name}' must be letters, digits, '_' (and an optional 'shared.' prefix)");
            step = step with { Save = name };
        }
        return step;
    }

    public ValueExpr Required(YamlMappingNode map, string key, string step) =>
        YamlNodes.Get(map, key) is { } v ? Argument(v) : throw y.Error(map, $"{step} needs {key}");

    public IReadOnlyList<ValueExpr> Arguments(YamlNode node) => y.Sequence(node, "args").Children.Select(ArgumentOrData).ToList();

    public ValueExpr ArgumentOrData(YamlNode node)
    {
        if (node is not YamlMappingNode map) return Argument(node);
        y.OnlyKeys(map, "a data argument", "bytes", "u32", "u64");
        var (k, v) = map.Children.First();
        var kind = y.Scalar(k, "data kind");
        int width = kind switch { "bytes" => 1, "u32" => 4, _ => 8 };
        var bytes = new List<byte>();
        foreach (var item in y.Sequence(v, kind).Children)
        {
            var n = Constant(item, kind);
            for (int i = 0; i < width; i++) bytes.Add((byte)(n >> (8 * i)));
        }
        return new DataValue([.. bytes], $"{kind}:[{string.Join(",", y.Sequence(v, kind).Children)}]") { Width = width };
    }

    public ValueExpr Argument(YamlNode node) => CaseValues.ParseArgument(y.Scalar(node, "value"), msg => y.Error(node, msg));

    public long Constant(YamlNode node, string what)
    {
        var t = y.Scalar(node, what);
        return CaseValues.ParseConstant(t, msg => y.Error(node, $"{what}: {msg}"));
    }

    public long Flags(YamlNode node, IReadOnlyDictionary<string, long> names, string what)
    {
        long mask = 0;
        foreach (var item in y.Items(node, what))
        {
            var t = y.Scalar(item, what);
            if (names.TryGetValue(t, out var bit)) mask |= bit;
            else if (CaseValues.TryParseInteger(t, out var raw)) mask |= raw;
            else throw y.Error(item, $"unknown {what} '{t}' (known: {string.Join(", ", names.Keys)})");
        }
        return mask;
    }

    public int Signal(YamlNode node)
    {
        var t = y.Scalar(node, "signal");
        return Signals.TryGetValue(t, out var s) ? s : throw y.Error(node, $"unknown signal '{t}'");
    }

    public int Flag(YamlNode node)
    {
        var f = y.Int(node, "flag");
        return f is >= 0 and < 32 ? f : throw y.Error(node, "flags are 0..31");
    }

    public uint Timeout(YamlMappingNode map, uint fallback) =>
        YamlNodes.Get(map, "timeout_ms") is { } t ? (uint)y.Int(t, "timeout_ms") : fallback;
}
