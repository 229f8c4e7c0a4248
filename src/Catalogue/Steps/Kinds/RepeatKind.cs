using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`repeat: N` `steps: [...]`: the steps N times (1..64), expanded when the case is read; writing a case writes the copies.</summary>
public sealed class RepeatKind : StepKind
{
    public override string Keyword => "repeat";
    public override IReadOnlyList<string> Keys => ["steps"];
    public override CommonKeys Common => CommonKeys.None;

    internal override void ParseInto(StepParser p, YamlNode item, YamlNode value, YamlMappingNode map, List<Step> into)
    {
        var y = p.Y;
        int count = y.Int(value, "repeat");
        if (count is < 1 or > 64) throw y.Error(value, "repeat must be 1..64");
        var body = YamlNodes.Get(map, "steps") ?? throw y.Error(item, "repeat needs steps");
        for (int i = 0; i < count; i++)
            foreach (var child in y.Sequence(body, "steps").Children)
                p.Parse(child, into);
    }

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) =>
        throw new InvalidOperationException("repeat stands for its copies, never for a step of its own");

    internal override void Emit(CaseCompiler c, Body body, Step step, Abi abi) =>
        throw new InvalidOperationException("repeat is expanded when the case is read");

    internal override void Write(StepWriter w, Step step) =>
        throw new InvalidOperationException("repeat is expanded when the case is read");
}
