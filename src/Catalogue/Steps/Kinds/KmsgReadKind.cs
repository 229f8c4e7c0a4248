using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>
/// `kmsg_read` (or `kmsg_read: $fd`): reads /dev/kmsg records that arrived since the `kmsg_mark`
/// that saved the descriptor. `wait_ms: N` first waits (ppoll) up to N ms for a record to arrive:
/// an audit record is printed by the kauditd thread after the call that caused it, and waiting
/// for it ends as soon as it is there, where a fixed sleep always costs its whole length.
/// </summary>
public sealed class KmsgReadKind : StepKind<KmsgReadStep>
{
    /// <summary>POLLIN (include/uapi/asm-generic/poll.h), in struct pollfd's events half-word.</summary>
    const int PollIn = 1;

    public override string Keyword => "kmsg_read";
    public override IReadOnlyList<string> Keys => ["wait_ms"];
    public override bool AlwaysRecords => true;
    public override bool ReadsText => true;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) =>
        new KmsgReadStep(pos, value is YamlScalarNode { Value: null or "" } || p.Y.Scalar(value, "kmsg_read") is "true" or "kmsg_read"
            ? new SavedValue("kmsg") : p.Argument(value))
        {
            WaitMs = YamlNodes.Get(map, "wait_ms") is { } w ? WaitMs(p.Y, w) : 0,
        };

    static uint WaitMs(YamlNodes y, YamlNode node) =>
        y.Int(node, "wait_ms") is var ms and >= 1 and <= 60_000 ? (uint)ms : throw y.Error(node, "wait_ms must be 1 to 60000");

    internal override void EmitStep(CaseCompiler c, Body body, KmsgReadStep k, Abi abi)
    {
        if (k.WaitMs > 0)
            EmitWait(c, body, k, abi);
        int read = c.Number(k, abi, "read");
        var id = c.Id(k, abi, read);
        var fd = c.ToOperand(body, k.Fd, abi, k);
        body.Repeat(c.Id(k, abi, isInternal: true), KmsgReadStep.Reads, b =>
            b.Call(id, read, [fd, Operand.Scratch(ScratchLayout.FilterDump), Operand.Imm(8191)], null, CallAbi.Native, 1024,
                Operand.Scratch(ScratchLayout.FilterDump), recordOnlyReturned: true));
    }

    /// <summary>ppoll(&amp;{fd, POLLIN}, 1, &amp;{WaitMs}, NULL, 0): returns at the first record, or when the time is up.</summary>
    static void EmitWait(CaseCompiler c, Body body, KmsgReadStep k, Abi abi)
    {
        const uint at = ScratchLayout.KmsgPoll;
        if (abi != c.NativeAbi)
            throw k.Pos.Error("wait_ms waits with the native ppoll: use it in a native actor");
        int ppoll = c.Number(k, abi, "ppoll");
        body.Store(c.Id(k, abi, isInternal: true), 4, Operand.Scratch(at), c.ToOperand(body, k.Fd, abi, k));
        body.Store(c.Id(k, abi, isInternal: true), 4, Operand.Scratch(at + 4), Operand.Imm(PollIn));
        body.Store(c.Id(k, abi, isInternal: true), 8, Operand.Scratch(at + 8), Operand.Imm(k.WaitMs / 1000));
        body.Store(c.Id(k, abi, isInternal: true), 8, Operand.Scratch(at + 16), Operand.Imm(k.WaitMs % 1000 * 1_000_000UL));
        body.Call(c.Id(k, abi, ppoll, isInternal: true), ppoll,
            [Operand.Scratch(at), Operand.Imm(1), Operand.Scratch(at + 8), Operand.Imm(0), Operand.Imm(0)]);
    }

    internal override bool HasOwnRecord(IReadOnlyList<Observation> taken) => HasOwnCall(taken);

    internal override void WriteStep(StepWriter w, KmsgReadStep step)
    {
        w.Operand(step.Fd);
        if (step.WaitMs > 0) w.Key("wait_ms", StepWriter.Scalar(step.WaitMs));
    }
}
