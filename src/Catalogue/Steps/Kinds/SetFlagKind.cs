using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`set_flag: N`: sets one of 32 shared flags, for ordering actors.</summary>
public sealed class SetFlagKind : StepKind<SetFlagStep>
{
    public override string Keyword => "set_flag";
    public override CommonKeys Common => CommonKeys.When;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) => new SetFlagStep(pos, p.Flag(value));

    internal override void EmitStep(CaseCompiler c, Body body, SetFlagStep s, Abi abi) => body.SetFlag(c.Id(s, abi), s.Flag);

    internal override void WriteStep(StepWriter w, SetFlagStep step) => w.Operand(StepWriter.Scalar(step.Flag));
}
