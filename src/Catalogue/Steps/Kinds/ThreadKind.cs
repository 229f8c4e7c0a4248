using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`thread:` steps (`save: t`): a thread runs the steps; `join` waits for it.</summary>
public sealed class ThreadKind : StepKind<ThreadStep>
{
    public override string Keyword => "thread";
    public override CommonKeys Common => CommonKeys.Save | CommonKeys.When;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) => new ThreadStep(pos, p.Steps(value));

    internal override void EmitStep(CaseCompiler c, Body body, ThreadStep step, Abi abi) =>
        body.Thread(c.Id(step, abi), c.DestOf(step.Save, step), child => c.EmitAll(child, step.Body, abi));

    public override IReadOnlyList<Step> Children(Step step) => ((ThreadStep)step).Body;

    internal override Fate? Walk(CaseJudge judge, WalkFrame frame, Step step, StepInfo info, StepView view)
    {
        judge.WalkChild(step, ((ThreadStep)step).Body, frame.State, asThread: true);
        return null;
    }

    internal override void WriteStep(StepWriter w, ThreadStep step) => w.Operand(w.Steps(step.Body));
}
