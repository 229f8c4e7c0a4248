using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`notif_send: $fd` `id: $id` `val: V` `error: E` `flags: [CONTINUE]`: SECCOMP_IOCTL_NOTIF_SEND.</summary>
public sealed class NotifSendKind : CallStepKind
{
    public override string Keyword => "notif_send";
    public override IReadOnlyList<string> Keys => ["id", "val", "error", "flags"];

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var id = p.Required(map, "id", "notif_send");
        ValueExpr val = YamlNodes.Get(map, "val") is { } v ? p.Argument(v) : Int(0);
        ValueExpr error = YamlNodes.Get(map, "error") is { } e ? p.Argument(e) : Int(0);
        long flags = YamlNodes.Get(map, "flags") is { } f
            ? p.Flags(f, new Dictionary<string, long> { ["CONTINUE"] = SECCOMP_USER_NOTIF_FLAG_CONTINUE }, "notif_send flag") : 0;
        const uint at = ScratchLayout.Prepared;
        return Macro(pos, "notif_send", "ioctl", [p.Argument(value), Int(SECCOMP_IOCTL_NOTIF_SEND), new BufferValue(at)]) with
        {
            Prepare =
            [
                new ScratchStore(at + SeccompNotifRespLayout.Id, 8, id),
                new ScratchStore(at + SeccompNotifRespLayout.Val, 8, val),
                new ScratchStore(at + SeccompNotifRespLayout.Error, 4, error),
                new ScratchStore(at + SeccompNotifRespLayout.Flags, 4, Int(flags)),
            ],
        };
    }

    internal override void WriteStep(StepWriter w, CallStep step)
    {
        w.Operand(step.Args[0]);
        w.Key("id", step.Prepare[0].Value);
        w.Key("val", step.Prepare[1].Value);
        w.Key("error", step.Prepare[2].Value);
        w.Key("flags", step.Prepare[3].Value);
    }
}
