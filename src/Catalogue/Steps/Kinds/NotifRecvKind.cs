using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`notif_recv: $fd` (`save: id`): SECCOMP_IOCTL_NOTIF_RECV into the scratch buffer; `save` keeps the notification id.</summary>
public sealed class NotifRecvKind : StepKind<NotifRecvStep>
{
    public override string Keyword => "notif_recv";
    public override CommonKeys Common => CommonKeys.Expect | CommonKeys.Save | CommonKeys.When;
    public override bool AlwaysRecords => true;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) => new NotifRecvStep(pos, p.Argument(value));

    internal override void EmitStep(CaseCompiler c, Body body, NotifRecvStep n, Abi abi)
    {
        int ioctl = c.Number(n, abi, "ioctl");
        var id = c.Id(n, abi, ioctl);
        for (uint off = 0; off < SeccompNotifSize; off += 8)
            body.Store(id, 8, Operand.Scratch(ScratchLayout.Notification + off), Operand.Imm(0));
        body.Call(id, ioctl, [c.ToOperand(body, n.Fd, abi, n), Operand.Imm(SECCOMP_IOCTL_NOTIF_RECV), Operand.Scratch(ScratchLayout.Notification)],
            null, CallAbi.Native, SeccompNotifSize, Operand.Scratch(ScratchLayout.Notification));
        if (n.Save is not null)
            body.Load(id, 8, Operand.Scratch(ScratchLayout.Notification), c.DestOf(n.Save, n));
    }

    internal override bool HasOwnRecord(IReadOnlyList<Observation> taken) => HasOwnCall(taken);

    internal override void Apply(CaseJudge judge, Step step, StepInfo info, StepView view, ActorState state)
    {
        if (view.Call is { Ret: 0, Recorded.Length: >= 8 } call && step.Save is { } ns)
            judge.Save(state, ns, System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(call.Recorded));
    }

    internal override void WriteStep(StepWriter w, NotifRecvStep step) => w.Operand(step.Fd);
}
