using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`pipe: [r, w]`: pipe2(fds, 0), which every kernel has, unlike eventfd (tinyconfig leaves it out).</summary>
public sealed class PipeKind : CallStepKind
{
    public override string Keyword => "pipe";

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var y = p.Y;
        var names = y.Items(value, "pipe").Select(n => y.Scalar(n, "pipe name")).ToList();
        if (names.Count != 2 || !names.All(CaseValues.IsName) || names[0] == names[1])
            throw y.Error(value, "pipe names its two ends: pipe: [r, w]");
        return Macro(pos, "pipe", "pipe2", [new BufferValue(ScratchLayout.PipeFds), Int(0)]) with
        {
            Effect = new OpensPipe(names[0], names[1]), DefaultExpect = Ok,
            RecordAt = new BufferValue(ScratchLayout.PipeFds), RecordLength = 8,
        };
    }

    /// <summary>The two descriptors are saved under the pipe's names.</summary>
    internal override void AfterCall(CaseCompiler c, Body body, ushort id, CallStep call)
    {
        var pipe = (OpensPipe)call.Effect!;
        body.Load(id, 4, Operand.Scratch(ScratchLayout.PipeFds), c.DestOf(pipe.ReadName, call), signExtend: true);
        body.Load(id, 4, Operand.Scratch(ScratchLayout.PipeFds + 4), c.DestOf(pipe.WriteName, call), signExtend: true);
    }

    internal override void ApplyEffect(CaseJudge judge, CallStep step, SyscallObservation call, StepInfo info, ActorState state)
    {
        if (step.Effect is not OpensPipe pipe || call.Recorded.Length < 8) return;
        judge.Save(state, pipe.ReadName, ReadInt32(call.Recorded, 0));
        judge.Save(state, pipe.WriteName, ReadInt32(call.Recorded, 4));
    }

    internal override void WriteStep(StepWriter w, CallStep step)
    {
        var pipe = (OpensPipe)step.Effect!;
        w.Operand(StepWriter.Flow([StepWriter.Scalar(pipe.ReadName), StepWriter.Scalar(pipe.WriteName)]));
    }
}
