using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`wait: $child` (`options: [WALL, WNOHANG, WUNTRACED]`): wait4; `expect: model` is the fate the model predicted for that child.</summary>
public sealed class WaitKind : StepKind<WaitStep>
{
    public override string Keyword => "wait";
    public override IReadOnlyList<string> Keys => ["options"];
    public override CommonKeys Common => CommonKeys.Expect | CommonKeys.Save | CommonKeys.When;
    public override bool AlwaysRecords => true;
    public override bool RecordsWaitStatus => true;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        long options = YamlNodes.Get(map, "options") is { } o ? p.Flags(o, WaitOptions, "wait option") : WaitOptions["WALL"];
        return new WaitStep(pos, p.Argument(value), options);
    }

    internal override void EmitStep(CaseCompiler c, Body body, WaitStep w, Abi abi)
    {
        int nr = c.Number(w, abi, "wait4");
        body.Call(c.Id(w, abi, nr), nr, [c.ToOperand(body, w.Target, abi, w), Operand.Scratch(ScratchLayout.WaitStatus), Operand.Imm(w.Options), Operand.Null],
            c.DestOf(w.Save, w), CallAbi.Native, 4, Operand.Scratch(ScratchLayout.WaitStatus));
    }

    internal override bool HasOwnRecord(IReadOnlyList<Observation> taken) => HasOwnCall(taken);

    internal override Prediction Predict(CaseJudge judge, Step step, StepInfo info, ActorState state) =>
        OutcomePredictor.ArgValue(((WaitStep)step).Target, state, info.Abi) is { } pid && judge.PredictedFate.TryGetValue((int)pid, out var fate)
            ? fate.IsUnknown
                ? Prediction.Unknown($"the model cannot say how the child ends: {fate.Why}")
                : new Prediction(fate.AsMatcher(judge.Profile), $"model: the child {fate}")
            : Prediction.Unknown($"no predicted fate for {((WaitStep)step).Target}");

    internal override void Apply(CaseJudge judge, Step step, StepInfo info, StepView view, ActorState state)
    {
        if (view.Call is { } call && step.Save is { } ws)
            judge.Save(state, ws, call.Ret);
    }

    internal override void WriteStep(StepWriter w, WaitStep step)
    {
        w.Operand(step.Target);
        if (step.Options != WaitOptions["WALL"]) w.Key("options", StepWriter.Scalar(step.Options));
    }
}
