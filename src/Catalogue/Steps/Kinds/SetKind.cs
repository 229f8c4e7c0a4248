using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`set: VALUE` `save: name`: keeps a value under a saved name (copies one name to another, or to a shared one).</summary>
public sealed class SetKind : StepKind<SetStep>
{
    public override string Keyword => "set";
    public override CommonKeys Common => CommonKeys.Save | CommonKeys.When;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) => new SetStep(pos, p.Argument(value));

    internal override void EmitStep(CaseCompiler c, Body body, SetStep s, Abi abi) => body.Set(c.Id(s, abi), c.DestOf(s.Save, s), c.ToOperand(body, s.Value, abi, s));

    internal override void Apply(CaseJudge judge, Step step, StepInfo info, StepView view, ActorState state)
    {
        if (step is SetStep s && s.Save is { } sn && OutcomePredictor.ArgValue(s.Value, state, info.Abi) is { } v)
            judge.Save(state, sn, (long)v);
    }

    internal override void WriteStep(StepWriter w, SetStep step) => w.Operand(step.Value);
}
