using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`nnp`: prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0).</summary>
public sealed class NnpKind : CallStepKind
{
    public override string Keyword => "nnp";

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) =>
        Macro(pos, "nnp", "prctl", [Int(PR_SET_NO_NEW_PRIVS), Int(1), Int(0), Int(0), Int(0)]) with
        { Effect = new SetsNoNewPrivs(), DefaultExpect = Ok };

    internal override void ApplyEffect(CaseJudge judge, CallStep step, SyscallObservation call, StepInfo info, ActorState state) =>
        state.NoNewPrivs = true;

    internal override void WriteStep(StepWriter w, CallStep step) { }
}
