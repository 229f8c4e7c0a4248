using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`notif_id_valid: $fd` `id: $id` (`wrong_dir: true` for the ioctl number older kernels used): SECCOMP_IOCTL_NOTIF_ID_VALID.</summary>
public sealed class NotifIdValidKind : CallStepKind
{
    public override string Keyword => "notif_id_valid";
    public override IReadOnlyList<string> Keys => ["id", "wrong_dir"];

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        bool wrongDir = YamlNodes.Get(map, "wrong_dir") is { } wd && p.Y.Bool(wd, "wrong_dir");
        var ioctl = wrongDir ? SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR : SECCOMP_IOCTL_NOTIF_ID_VALID;
        return Macro(pos, "notif_id_valid", "ioctl", [p.Argument(value), Int(ioctl), new BufferValue(ScratchLayout.Prepared)]) with
        { Prepare = [new ScratchStore(ScratchLayout.Prepared, 8, p.Required(map, "id", "notif_id_valid"))] };
    }

    internal override void WriteStep(StepWriter w, CallStep step)
    {
        w.Operand(step.Args[0]);
        w.Key("id", step.Prepare[0].Value);
        if (step.Args[1] is IntValue { Value: SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR }) w.Key("wrong_dir", "true");
    }
}
