using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`block: [SIGSYS]` / `unblock: [...]`: rt_sigprocmask; one class, two keywords.</summary>
public sealed class SigMaskKind(SigMaskHow how) : StepKind<SigMaskStep>
{
    public override string Keyword => how == SigMaskHow.Block ? "block" : "unblock";
    public override bool AlwaysRecords => true;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        ulong mask = 0;
        foreach (var s in p.Y.Items(value, Keyword))
            mask |= 1UL << (p.Signal(s) - 1);
        return new SigMaskStep(pos, how, mask);
    }

    internal override void EmitStep(CaseCompiler c, Body body, SigMaskStep step, Abi abi) => body.SigMask(c.Id(step, abi), step.How, step.Mask);

    internal override bool HasOwnRecord(IReadOnlyList<Observation> taken) => HasOwnCall(taken);

    internal override Matcher? Fallback(Step step, ActorState state) => new Matcher { Ret = new ValueMatch("0", (x, _) => x == 0) };

    internal override void Apply(CaseJudge judge, Step step, StepInfo info, StepView view, ActorState state)
    {
        if (step is SigMaskStep m && view.Call is { Ret: 0 } && (m.Mask & (1UL << (SIGSYS - 1))) != 0)
            state.SigsysBlocked = m.How == SigMaskHow.Block;
    }

    internal override void WriteStep(StepWriter w, SigMaskStep step) =>
        w.Operand(StepWriter.Flow(Enumerable.Range(1, 64).Where(s => (step.Mask & (1UL << (s - 1))) != 0).Select(StepWriter.SignalName)));
}
