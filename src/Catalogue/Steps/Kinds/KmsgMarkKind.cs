using Conformance.Model.Kernel;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`kmsg_mark`: opens /dev/kmsg without blocking and moves to its end (saved as `kmsg` unless `save` says otherwise).</summary>
public sealed class KmsgMarkKind : StepKind<KmsgMarkStep>
{
    /// <summary>lseek's SEEK_END (include/uapi/linux/fs.h, outside the generated families): only records after the mark are read.</summary>
    const int SeekEnd = 2;

    public override string Keyword => "kmsg_mark";
    public override CommonKeys Common => CommonKeys.Expect | CommonKeys.Save | CommonKeys.When;
    public override bool AlwaysRecords => true;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map) => new KmsgMarkStep(pos) { Save = "kmsg" };

    internal override void EmitStep(CaseCompiler c, Body body, KmsgMarkStep k, Abi abi)
    {
        int openat = c.Number(k, abi, "openat");
        var dest = c.DestOf(k.Save, k);
        body.Call(c.Id(k, abi, openat), openat, [Operand.Imm(AT_FDCWD), Operand.Blob(c.Blob("/dev/kmsg\0")), Operand.Imm(FcntlConstants.O_NONBLOCK), Operand.Imm(0)], dest);
        int lseek = c.Number(k, abi, "lseek");
        body.Call(c.Id(k, abi, lseek, isInternal: true), lseek, [c.ToOperand(body, new SavedValue(k.Save!), abi, k), Operand.Imm(0), Operand.Imm(SeekEnd)]);
    }

    internal override bool HasOwnRecord(IReadOnlyList<Observation> taken) => HasOwnCall(taken);

    internal override Matcher? Fallback(Step step, ActorState state) => new Matcher { Ret = new ValueMatch(">=0", (x, _) => x >= 0) };

    internal override void Apply(CaseJudge judge, Step step, StepInfo info, StepView view, ActorState state)
    {
        if (view.Call is { } call && step.Save is { } ks)
            judge.Save(state, ks, call.Ret);
    }

    internal override void WriteStep(StepWriter w, KmsgMarkStep step) { }
}
