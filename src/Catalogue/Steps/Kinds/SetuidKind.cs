using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`setuid: 65534`: setresuid to that user (drops every capability of root).</summary>
public sealed class SetuidKind : CallStepKind
{
    public override string Keyword => "setuid";

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var uid = p.Constant(value, "setuid");
        return Macro(pos, $"setuid {uid}", "setresuid", [Int(uid), Int(uid), Int(uid)]) with { Effect = new ChangesUid(uid), DefaultExpect = Ok };
    }

    internal override void ApplyEffect(CaseJudge judge, CallStep step, SyscallObservation call, StepInfo info, ActorState state)
    {
        if (step.Effect is ChangesUid { Uid: not 0 })
        {
            state.CapSysAdmin = false;
            state.RootUid = false;
        }
    }

    internal override void WriteStep(StepWriter w, CallStep step) => w.Operand(StepWriter.Scalar(((ChangesUid)step.Effect!).Uid));
}
