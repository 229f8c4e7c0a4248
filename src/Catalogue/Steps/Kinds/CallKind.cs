using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`call: NAME` `args: [...]`: a raw system call.</summary>
public sealed class CallKind : CallStepKind
{
    public override string Keyword => "call";
    public override IReadOnlyList<string> Keys => ["args", "abi", "record", "allowed"];

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var y = p.Y;
        var nrText = y.Scalar(value, "call");
        ValueExpr nr = CaseValues.IsSyscallName(nrText) ? new SyscallNameValue(nrText)
            : CaseValues.TryParseInteger(nrText, out var n) ? new IntValue(n)
            : throw y.Error(value, $"call '{nrText}': a syscall name or number");
        var argsNode = YamlNodes.Get(map, "args");
        var args = argsNode is null ? [] : p.Arguments(argsNode);
        if (args.Count > 6) throw y.Error(argsNode!, "a system call has at most 6 arguments");
        bool compat = false;
        if (YamlNodes.Get(map, "abi") is { } abi)
            compat = y.Scalar(abi, "abi") switch
            {
                "compat" => true, "native" => false,
                var t => throw y.Error(abi, $"abi '{t}' must be native or compat"),
            };
        var step = new CallStep(pos, $"call {nrText}", nr, args) { Compat = compat };
        if (YamlNodes.Get(map, "record") is { } r)
        {
            var rm = y.Mapping(r, "record");
            y.OnlyKeys(rm, "record", "at", "len");
            var at = YamlNodes.Get(rm, "at") is { } atn ? p.Argument(atn) : new BufferValue(0);
            var len = YamlNodes.Get(rm, "len") is { } ln ? y.Int(ln, "len") : throw y.Error(r, "record needs len");
            if (len is < 1 or > 16384) throw y.Error(r, "record len must be 1..16384");
            step = step with { RecordAt = at, RecordLength = len };
        }
        if (YamlNodes.Get(map, "allowed") is { } al)
        {
            step = step with { Allowed = p.Matchers.Matcher(al) };
            if (step.Allowed.Cache is not null) throw y.Error(al, "cache: judges a read of seccomp_cache, not what an allowed call returns");
        }
        return step;
    }

    internal override void WriteStep(StepWriter w, CallStep step)
    {
        w.Operand(step.Nr);
        if (step.Args.Count > 0) w.Key("args", StepWriter.Flow(step.Args.Select(w.Value)));
        if (step.Compat) w.Key("abi", "compat");
        if (step.RecordAt is { } at)
            w.Key("record", StepWriter.FlowMap(("at", w.Value(at)), ("len", StepWriter.Scalar(step.RecordLength))));
        if (step.Allowed is { } allowed) w.Key("allowed", MatcherWriter.Matcher(allowed));
    }
}
