using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`mark: N`: records that the actor got here (`expect: {reached: true|false}`).</summary>
public sealed class MarkKind : StepKind<MarkStep>
{
    public override string Keyword => "mark";
    public override bool AlwaysRecords => true;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) => new MarkStep(pos, (uint)p.Y.Int(value, "mark"));

    internal override void EmitStep(CaseCompiler c, Body body, MarkStep m, Abi abi) => body.Mark(c.Id(m, abi), m.Value);

    internal override void WriteStep(StepWriter w, MarkStep step) => w.Operand(StepWriter.Scalar(step.Value));
}
