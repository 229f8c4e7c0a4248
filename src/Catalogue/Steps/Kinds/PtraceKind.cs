using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`ptrace: SEIZE` `pid: $child` `options: [TRACESECCOMP]`: one ptrace request; GET_FILTER and GET_METADATA record what the kernel returns.</summary>
public sealed class PtraceKind : CallStepKind
{
    public override string Keyword => "ptrace";
    public override IReadOnlyList<string> Keys => ["pid", "addr", "data", "options", "index", "size"];

    public override bool Traces(Step step) => true;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var y = p.Y;
        var reqText = y.Scalar(value, "ptrace");
        if (!PtraceRequests.TryGetValue(reqText, out var request))
            throw y.Error(value, $"unknown ptrace request '{reqText}' (known: {string.Join(", ", PtraceRequests.Keys)})");
        reqText = reqText.ToUpperInvariant();
        ValueExpr pid = YamlNodes.Get(map, "pid") is { } pn ? p.Argument(pn) : Int(0);
        ValueExpr addr = YamlNodes.Get(map, "addr") is { } a ? p.Argument(a) : Int(0);
        ValueExpr data = YamlNodes.Get(map, "data") is { } d ? p.Argument(d) : Int(0);
        if (YamlNodes.Get(map, "options") is { } o)
            data = Int(p.Flags(o, PtraceOptions, "ptrace option"));
        var step = Macro(pos, $"ptrace {reqText}", "ptrace", [Int(request), pid, addr, data]);
        switch (reqText)
        {
            case "GETEVENTMSG":
                return step with { Args = [Int(request), pid, Int(0), new BufferValue(ScratchLayout.EventMsg)], RecordAt = new BufferValue(ScratchLayout.EventMsg), RecordLength = 8 };
            case "SECCOMP_GET_FILTER":
            {
                var index = YamlNodes.Get(map, "index") is { } i ? p.Constant(i, "index") : 0;
                bool countOnly = YamlNodes.Get(map, "data") is { } dn && y.Scalar(dn, "data") == "null";
                return countOnly
                    ? step with { Args = [Int(request), pid, Int(index), Int(0)] }
                    : step with
                    {
                        Args = [Int(request), pid, Int(index), new BufferValue(ScratchLayout.FilterDump)],
                        RecordAt = new BufferValue(ScratchLayout.FilterDump), RecordLength = ScratchLayout.FilterDumpLength,
                        Meaning = RecordMeaning.FilterProgram,
                    };
            }
            case "SECCOMP_GET_METADATA":
            {
                var index = YamlNodes.Get(map, "index") is { } i ? p.Constant(i, "index") : 0;
                var size = YamlNodes.Get(map, "size") is { } s ? p.Constant(s, "size") : SeccompMetadataLayout.Size;
                return step with
                {
                    Args = [Int(request), pid, Int(size), new BufferValue(ScratchLayout.Prepared)],
                    Prepare =
                    [
                        new ScratchStore(ScratchLayout.Prepared + SeccompMetadataLayout.FilterOff, 8, Int(index)),
                        new ScratchStore(ScratchLayout.Prepared + SeccompMetadataLayout.Flags, 8, Int(0)),
                    ],
                    RecordAt = new BufferValue(ScratchLayout.Prepared), RecordLength = SeccompMetadataLayout.Size, Meaning = RecordMeaning.FilterMetadata,
                };
            }
            default:
                return step;
        }
    }

    /// <summary>The request back from its number; which keys mean something depends on it, as in Parse.</summary>
    internal override void WriteStep(StepWriter w, CallStep step)
    {
        var request = ((IntValue)step.Args[0]).Value;
        var name = PtraceRequests.First(kv => kv.Value == request).Key;
        w.Operand(name);
        w.Key("pid", step.Args[1]);
        switch (name)
        {
            case "GETEVENTMSG":
                break;
            case "SECCOMP_GET_FILTER":
                w.Key("index", step.Args[2]);
                if (step.Args[3] is not BufferValue) w.Key("data", "null");
                break;
            case "SECCOMP_GET_METADATA":
                w.Key("index", step.Prepare[0].Value);
                w.Key("size", step.Args[2]);
                break;
            default:
                w.Key("addr", step.Args[2]);
                w.Key("data", step.Args[3]);
                break;
        }
    }
}
