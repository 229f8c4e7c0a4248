using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`wait_flag: N` (`timeout_ms`): waits until another actor sets the flag; a timeout is reported.</summary>
public sealed class WaitFlagKind : StepKind<WaitFlagStep>
{
    public override string Keyword => "wait_flag";
    public override IReadOnlyList<string> Keys => ["timeout_ms"];

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) =>
        new WaitFlagStep(pos, p.Flag(value), p.Timeout(map, 5000));

    internal override void EmitStep(CaseCompiler c, Body body, WaitFlagStep w, Abi abi) => body.WaitFlag(c.Id(w, abi), w.Flag, w.TimeoutMs);

    internal override Fate? Walk(CaseJudge judge, WalkFrame frame, Step step, StepInfo info, StepView view)
    {
        if (view.TimedOut && step.Expect is null)
            judge.AddCheck(new Check(step.Label, step.Pos.ToString(), "the flag to be set", "timed out", false, false) { Keyword = step.Kind.Keyword });
        else if (step.Expect is not null)
            judge.JudgeStep(step, info, view, frame.State, null);
        return null;
    }

    internal override void WriteStep(StepWriter w, WaitFlagStep step)
    {
        w.Operand(StepWriter.Scalar(step.Flag));
        if (step.TimeoutMs != 5000) w.Key("timeout_ms", StepWriter.Scalar(step.TimeoutMs));
    }
}
