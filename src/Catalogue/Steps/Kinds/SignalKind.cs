using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`signal: {SIGSYS: handler|ignore|default}`: rt_sigaction; `handler` records every delivery.</summary>
public sealed class SignalKind : StepKind<SigActionStep>
{
    public override string Keyword => "signal";
    public override bool AlwaysRecords => true;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var y = p.Y;
        var m = y.Mapping(value, "signal");
        if (m.Children.Count != 1) throw y.Error(value, "signal sets one signal per step: {SIGSYS: handler}");
        var (k, v) = m.Children.First();
        var signo = p.Signal(k);
        var disposition = y.Scalar(v, "disposition") switch
        {
            "handler" => SignalDisposition.RecordingHandler,
            "ignore" => SignalDisposition.Ignore,
            "default" => SignalDisposition.Default,
            var d => throw y.Error(v, $"disposition '{d}' must be handler, ignore or default"),
        };
        return new SigActionStep(pos, signo, disposition);
    }

    internal override void EmitStep(CaseCompiler c, Body body, SigActionStep step, Abi abi) => body.SigAction(c.Id(step, abi), step.Signo, step.Disposition);

    internal override bool HasOwnRecord(IReadOnlyList<Observation> taken) => HasOwnCall(taken);

    internal override Matcher? Fallback(Step step, ActorState state) => new Matcher { Ret = new ValueMatch("0", (x, _) => x == 0) };

    internal override void Apply(CaseJudge judge, Step step, StepInfo info, StepView view, ActorState state)
    {
        if (step is SigActionStep s && view.Call is { Ret: 0 } && s.Signo == SIGSYS)
            state.SigsysDisposition = s.Disposition;
    }

    internal override void WriteStep(StepWriter w, SigActionStep step)
    {
        var disposition = step.Disposition switch
        {
            SignalDisposition.RecordingHandler => "handler",
            SignalDisposition.Ignore => "ignore",
            _ => "default",
        };
        w.Operand(StepWriter.FlowMap((StepWriter.SignalName(step.Signo), StepWriter.Scalar(disposition))));
    }
}
