using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`kmsg_read` (or `kmsg_read: $fd`): reads /dev/kmsg records that arrived since the `kmsg_mark` that saved the descriptor.</summary>
public sealed class KmsgReadKind : StepKind<KmsgReadStep>
{
    public override string Keyword => "kmsg_read";
    public override bool AlwaysRecords => true;
    public override bool ReadsText => true;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) =>
        new KmsgReadStep(pos, value is YamlScalarNode { Value: null or "" } || p.Y.Scalar(value, "kmsg_read") is "true" or "kmsg_read"
            ? new SavedValue("kmsg") : p.Argument(value));

    internal override void EmitStep(CaseCompiler c, Body body, KmsgReadStep k, Abi abi)
    {
        int read = c.Number(k, abi, "read");
        var id = c.Id(k, abi, read);
        var fd = c.ToOperand(body, k.Fd, abi, k);
        body.Repeat(c.Id(k, abi, isInternal: true), KmsgReadStep.Reads, b =>
            b.Call(id, read, [fd, Operand.Scratch(ScratchLayout.FilterDump), Operand.Imm(8191)], null, CallAbi.Native, 1024,
                Operand.Scratch(ScratchLayout.FilterDump), recordOnlyReturned: true));
    }

    internal override bool HasOwnRecord(IReadOnlyList<Observation> taken) => HasOwnCall(taken);

    internal override void WriteStep(StepWriter w, KmsgReadStep step) => w.Operand(step.Fd);
}
