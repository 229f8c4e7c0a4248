using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`exec:` / `exec32:` steps: execve of the agent itself or of the 32-bit compat helper, then the steps.</summary>
public sealed class ExecKind(bool compat) : StepKind<ExecStep>
{
    public override string Keyword => compat ? "exec32" : "exec";

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) => new ExecStep(pos, p.Steps(value), compat);

    internal override void EmitStep(CaseCompiler c, Body body, ExecStep step, Abi abi)
    {
        var childAbi = step.Compat ? c.CompatAbi : c.NativeAbi;
        body.Exec(c.Id(step, abi), step.Compat ? ExecImage.CompatHelper : ExecImage.Agent, child => c.EmitAll(child, step.Body, childAbi));
    }

    public override IReadOnlyList<Step> Children(Step step) => ((ExecStep)step).Body;

    /// <summary>The image's steps continue this actor's walk; a failed execve is judged like a call.</summary>
    internal override Fate? Walk(CaseJudge judge, WalkFrame frame, Step step, StepInfo info, StepView view)
    {
        var e = (ExecStep)step;
        var start = view.Observations.OfType<StartObservation>().FirstOrDefault();
        if (start is null)
        {
            judge.JudgeStep(step, info, view, frame.State, fallback: new Matcher { Ret = new ValueMatch("success", (x, _) => x >= 0) });
            return null;
        }
        var state = frame.State;
        state.Task = state.Task.Exec(e.Compat ? judge.Case.CompatAbi : judge.Case.NativeAbi);
        return judge.Walk(e.Body, frame.Actor, state, frame.ObservedFate);
    }

    internal override void WriteStep(StepWriter w, ExecStep step) => w.Operand(w.Steps(step.Body));
}
