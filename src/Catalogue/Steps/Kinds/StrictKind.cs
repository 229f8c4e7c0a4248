using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`strict` enters strict mode through prctl, or with `via: seccomp` through seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL).</summary>
public sealed class StrictKind : CallStepKind
{
    public override string Keyword => "strict";
    public override IReadOnlyList<string> Keys => ["via"];

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var y = p.Y;
        bool viaSeccomp = false;
        if (YamlNodes.Get(map, "via") is { } v)
            viaSeccomp = y.Scalar(v, "via") switch
            {
                "seccomp" => true, "prctl" => false,
                var t => throw y.Error(v, $"via '{t}' must be seccomp or prctl"),
            };
        var step = viaSeccomp
            ? Macro(pos, "strict", "seccomp", [Int(SECCOMP_SET_MODE_STRICT), Int(0), Int(0)])
            : Macro(pos, "strict", "prctl", [Int(PR_SET_SECCOMP), Int(SECCOMP_MODE_STRICT), Int(0), Int(0), Int(0)]);
        return step with { Effect = new SetsStrictMode(), DefaultExpect = Ok };
    }

    internal override void ApplyEffect(CaseJudge judge, CallStep step, SyscallObservation call, StepInfo info, ActorState state) =>
        state.Mode = SECCOMP_MODE_STRICT;

    internal override void WriteStep(StepWriter w, CallStep step)
    {
        if (step.Nr is SyscallNameValue { Name: "seccomp" }) w.Key("via", "seccomp");
    }
}
