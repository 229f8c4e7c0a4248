using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`join: $t` (`timeout_ms`): waits for a thread to exit.</summary>
public sealed class JoinKind : StepKind<JoinStep>
{
    public override string Keyword => "join";
    public override IReadOnlyList<string> Keys => ["timeout_ms"];
    public override bool AlwaysRecords => true;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) =>
        new JoinStep(pos, p.Argument(value), p.Timeout(map, 5000));

    internal override void EmitStep(CaseCompiler c, Body body, JoinStep j, Abi abi) => body.Join(c.Id(j, abi), c.ToOperand(body, j.Tid, abi, j), j.TimeoutMs);

    /// <summary>A thread the model expects to take the whole process down never lets the join return.</summary>
    internal override Matcher? Fallback(Step step, ActorState state) =>
        state.Process.Death is { Signal: { } sig } ? new Matcher { Killed = sig } : new Matcher { Done = true };

    internal override void Apply(CaseJudge judge, Step step, StepInfo info, StepView view, ActorState state)
    {
        if (view.Join is { Done: true })
            state.Task = state.Task.ThreadExited();
    }

    internal override void WriteStep(StepWriter w, JoinStep step)
    {
        w.Operand(step.Tid);
        if (step.TimeoutMs != 5000) w.Key("timeout_ms", StepWriter.Scalar(step.TimeoutMs));
    }
}
