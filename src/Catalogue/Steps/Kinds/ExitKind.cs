using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`exit: N` / `exit_thread: N`: exit_group or exit now; a filter or strict mode may kill the task there.</summary>
public sealed class ExitKind(bool group) : StepKind<ExitStep>
{
    public override string Keyword => group ? "exit" : "exit_thread";
    public override CommonKeys Common => CommonKeys.When;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) => new ExitStep(pos, p.Y.Int(value, Keyword), group);

    internal override void EmitStep(CaseCompiler c, Body body, ExitStep e, Abi abi) => body.Exit(c.Id(e, abi), e.Code, e.Group);

    internal override Fate? Walk(CaseJudge judge, WalkFrame frame, Step step, StepInfo info, StepView view)
    {
        var x = (ExitStep)step;
        return judge.KilledAtExit(x.Group ? "exit_group" : "exit", x.Code, "exit step", frame.State)
            ?? (x.Group || !frame.State.IsThread ? Fate.Exit(x.Code, "exit step") : Fate.Exit(x.Code, "thread exit"));
    }

    internal override void WriteStep(StepWriter w, ExitStep step) => w.Operand(StepWriter.Scalar(step.Code));
}
