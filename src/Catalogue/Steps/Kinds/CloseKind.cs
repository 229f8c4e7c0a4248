using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`close: $fd`: close(2); closing a listener is what lets USER_NOTIF fall back to ENOSYS.</summary>
public sealed class CloseKind : CallStepKind
{
    public override string Keyword => "close";

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) =>
        Macro(pos, "close", "close", [p.Argument(value)]) with { Effect = new ClosesFd() };

    internal override void ApplyEffect(CaseJudge judge, CallStep step, SyscallObservation call, StepInfo info, ActorState state)
    {
        if (step.Args.Count > 0 && OutcomePredictor.ArgValue(step.Args[0], state, info.Abi) is { } fd)
            if (judge.Listeners.TryGetValue((long)fd, out var l) && ReferenceEquals(l.Owner, state))
                state.Task = state.Task.ListenerClosed(l.Filter);
    }

    internal override void WriteStep(StepWriter w, CallStep step) => w.Operand(step.Args[0]);
}
