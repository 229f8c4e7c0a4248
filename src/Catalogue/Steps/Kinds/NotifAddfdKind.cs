using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`notif_addfd: $fd` `id: $id` `srcfd: N` `newfd: N` `flags: [SETFD, SEND]` `newfd_flags: [CLOEXEC]`: SECCOMP_IOCTL_NOTIF_ADDFD.</summary>
public sealed class NotifAddfdKind : CallStepKind
{
    public override string Keyword => "notif_addfd";
    public override IReadOnlyList<string> Keys => ["id", "srcfd", "newfd", "flags", "newfd_flags", "size"];

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var id = p.Required(map, "id", "notif_addfd");
        ValueExpr srcfd = YamlNodes.Get(map, "srcfd") is { } s ? p.Argument(s) : Int(0);
        ValueExpr newfd = YamlNodes.Get(map, "newfd") is { } n ? p.Argument(n) : Int(0);
        long flags = YamlNodes.Get(map, "flags") is { } f
            ? p.Flags(f, new Dictionary<string, long> { ["SETFD"] = SECCOMP_ADDFD_FLAG_SETFD, ["SEND"] = SECCOMP_ADDFD_FLAG_SEND }, "addfd flag") : 0;
        long newfdFlags = YamlNodes.Get(map, "newfd_flags") is { } nf
            ? p.Flags(nf, new Dictionary<string, long> { ["CLOEXEC"] = FcntlConstants.O_CLOEXEC }, "newfd flag") : 0;
        long size = YamlNodes.Get(map, "size") is { } sz ? p.Constant(sz, "size") : SeccompNotifAddfdSize;
        uint ioctl = IoctlFor(size);
        const uint at = ScratchLayout.Prepared;
        return Macro(pos, "notif_addfd", "ioctl", [p.Argument(value), Int(ioctl), new BufferValue(at)]) with
        {
            Prepare =
            [
                new ScratchStore(at + SeccompNotifAddfdLayout.Id, 8, id),
                new ScratchStore(at + SeccompNotifAddfdLayout.Flags, 4, Int(flags)),
                new ScratchStore(at + SeccompNotifAddfdLayout.Srcfd, 4, srcfd),
                new ScratchStore(at + SeccompNotifAddfdLayout.Newfd, 4, newfd),
                new ScratchStore(at + SeccompNotifAddfdLayout.NewfdFlags, 4, Int(newfdFlags)),
                // Bytes past the struct stay zero, so a `size:` larger than the kernel's struct sees zeroes there.
                new ScratchStore(at + SeccompNotifAddfdLayout.Size, 8, Int(0)),
            ],
        };
    }

    /// <summary>NOTIF_ADDFD with another struct size: the size is part of the number, which is how a short struct is tested.</summary>
    static uint IoctlFor(long size) => IoctlEncoding.WithSize(SECCOMP_IOCTL_NOTIF_ADDFD, (int)size);

    internal override void WriteStep(StepWriter w, CallStep step)
    {
        w.Operand(step.Args[0]);
        w.Key("id", step.Prepare[0].Value);
        w.Key("srcfd", step.Prepare[2].Value);
        w.Key("newfd", step.Prepare[3].Value);
        w.Key("flags", step.Prepare[1].Value);
        w.Key("newfd_flags", step.Prepare[4].Value);
        var size = (((IntValue)step.Args[1]).Value >> 16) & 0x3fff;
        if (size != SeccompNotifAddfdSize) w.Key("size", StepWriter.Scalar(size));
    }
}
