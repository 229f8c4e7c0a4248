using System.Globalization;
using System.Text;
using Conformance.Model.Kernel;
using Conformance.Catalogue.Cases;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps;

/// <summary>
/// Writes one step back out as the YAML its kind reads: the kind fills in its keyword's value and
/// its own keys, this class adds the shared keys and the forms the step parser reads back.
/// </summary>
sealed class StepWriter
{
    YamlNode? _operand;
    readonly List<(string Key, YamlNode Value)> _keys = [];

    public static YamlNode Write(Step step)
    {
        var kind = step.Kind;
        var w = new StepWriter();
        kind.Write(w, step);
        if (step.Expect is { } e) w.Shared(kind, CommonKeys.Expect, "expect", MatcherWriter.Expectation(e));
        if (step.Save is { } s) w.Shared(kind, CommonKeys.Save, "save", Scalar(s));
        if (step.When is { } c) w.Shared(kind, CommonKeys.When, "when", MatcherWriter.Condition(c));
        if (w._operand is null && w._keys.Count == 0)
            return Scalar(kind.Keyword);
        var map = new YamlMappingNode { { kind.Keyword, w._operand ?? Scalar("") } };
        foreach (var (key, value) in w._keys) map.Add(key, value);
        return map;
    }

    void Shared(StepKind kind, CommonKeys which, string key, YamlNode value)
    {
        if (!kind.Common.HasFlag(which))
            throw new InvalidOperationException($"a {kind.Keyword} step takes no {key}, so this one cannot be written");
        _keys.Add((key, value));
    }

    /// <summary>The value of the kind's keyword (`install: NAME`); a kind that sets none is written bare (`- nnp`).</summary>
    public void Operand(YamlNode value) => _operand = value;
    public void Operand(string value) => _operand = Scalar(value);
    public void Operand(ValueExpr value) => _operand = Value(value);

    public void Key(string key, YamlNode value) => _keys.Add((key, value));
    public void Key(string key, string value) => _keys.Add((key, Scalar(value)));
    public void Key(string key, ValueExpr value) => _keys.Add((key, Value(value)));

    public YamlNode Steps(IReadOnlyList<Step> steps) => new YamlSequenceNode(steps.Select(Write));

    public static YamlScalarNode Scalar(string text) => new(text);

    /// <summary>Small numbers in decimal, others in hex (how addresses and masks read best); both read back exactly.</summary>
    public static YamlScalarNode Scalar(long value) =>
        new(value is >= -4096 and < 4096 ? value.ToString(CultureInfo.InvariantCulture) : $"0x{value:x}");

    public static YamlSequenceNode Flow(IEnumerable<YamlNode> items) => new(items) { Style = SequenceStyle.Flow };

    public static YamlMappingNode FlowMap(params (YamlNode Key, YamlNode Value)[] entries)
    {
        var map = new YamlMappingNode { Style = MappingStyle.Flow };
        foreach (var (k, v) in entries) map.Add(k, v);
        return map;
    }

    /// <summary>A signal by its name where the name reads back as the same number.</summary>
    public static YamlNode SignalName(int signo)
    {
        var name = KernelConstants.SignalName(signo);
        return Signals.TryGetValue(name, out var back) && back == signo ? Scalar(name) : Scalar(signo);
    }

    /// <summary>An argument in the form CaseValues.ParseArgument (or the data form of `args:`) reads back.</summary>
    public YamlNode Value(ValueExpr value) => value switch
    {
        IntValue i => Scalar(i.Value),
        SyscallNameValue n => Scalar(n.Name),
        RuntimeValue r => Scalar(r.Kind switch
        {
            RuntimeValueKind.Null => "null", RuntimeValueKind.Bad => "bad", RuntimeValueKind.Pid => "pid",
            RuntimeValueKind.Tid => "tid", _ => "ppid",
        }),
        SavedValue s => Scalar(s.Add == 0 ? $"${s.Name}" : $"${s.Name}{s.Add.ToString("+0;-0", CultureInfo.InvariantCulture)}"),
        BufferValue b => Scalar(b.Offset == 0 ? "buf" : $"buf+{b.Offset}"),
        DataValue d => Data(d),
        FilterValue f => Scalar($"filter:{f.Filter}"
            + f.Pointer switch { FilterPointer.Null => ":null", FilterPointer.Bad => ":bad", _ => "" }
            + (f.Length is { } l ? $":len={l}" : "")),
        _ => throw new InvalidOperationException($"{value.GetType().Name} has no YAML form outside its step"),
    };

    static YamlNode Data(DataValue d)
    {
        if (d.Width == 0 && AsString(d.Bytes) is { } text)
            return Scalar("str:" + text);
        int width = d.Width == 0 ? 1 : d.Width;
        var kind = width switch { 1 => "bytes", 4 => "u32", _ => "u64" };
        var values = d.Bytes.Chunk(width).Select(chunk =>
        {
            long v = 0;
            for (int i = 0; i < chunk.Length; i++) v |= (long)chunk[i] << (8 * i);
            return (YamlNode)Scalar(v);
        });
        return FlowMap((kind, Flow(values)));
    }

    /// <summary>The text of a `str:` value: UTF-8 with one NUL at the end, and nothing ParseArgument would trim.</summary>
    static string? AsString(byte[] bytes)
    {
        if (bytes.Length == 0 || bytes[^1] != 0 || Array.IndexOf(bytes, (byte)0) != bytes.Length - 1) return null;
        var text = Encoding.UTF8.GetString(bytes, 0, bytes.Length - 1);
        return Encoding.UTF8.GetBytes(text + "\0").AsSpan().SequenceEqual(bytes) && text.Trim() == text ? text : null;
    }
}
