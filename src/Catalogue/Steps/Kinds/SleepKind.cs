using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`sleep_ms: N`: nanosleep.</summary>
public sealed class SleepKind : StepKind<SleepStep>
{
    public override string Keyword => "sleep_ms";
    public override CommonKeys Common => CommonKeys.When;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) => new SleepStep(pos, (uint)p.Y.Int(value, "sleep_ms"));

    internal override void EmitStep(CaseCompiler c, Body body, SleepStep s, Abi abi) => body.Sleep(c.Id(s, abi), s.Ms);

    internal override void WriteStep(StepWriter w, SleepStep step) => w.Operand(StepWriter.Scalar(step.Ms));
}
