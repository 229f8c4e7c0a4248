using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`fork:` steps (`save: child`): a child process runs the steps; its fate is judged at the `wait` for it.</summary>
public sealed class ForkKind : StepKind<ForkStep>
{
    public override string Keyword => "fork";
    public override CommonKeys Common => CommonKeys.Save | CommonKeys.When;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) => new ForkStep(pos, p.Steps(value));

    internal override void EmitStep(CaseCompiler c, Body body, ForkStep step, Abi abi) =>
        body.Fork(c.Id(step, abi), c.DestOf(step.Save, step), child => c.EmitAll(child, step.Body, abi));

    public override IReadOnlyList<Step> Children(Step step) => ((ForkStep)step).Body;

    public override bool Traces(Step step) => false;

    internal override Fate? Walk(CaseJudge judge, WalkFrame frame, Step step, StepInfo info, StepView view)
    {
        judge.WalkChild(step, ((ForkStep)step).Body, frame.State, asThread: false);
        return null;
    }

    internal override void WriteStep(StepWriter w, ForkStep step) => w.Operand(w.Steps(step.Body));
}
