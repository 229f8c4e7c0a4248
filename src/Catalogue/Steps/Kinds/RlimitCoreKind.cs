using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`rlimit_core: 0|unlimited`: prlimit64(RLIMIT_CORE); the wait status core bit depends on it.</summary>
public sealed class RlimitCoreKind : CallStepKind
{
    public override string Keyword => "rlimit_core";

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var y = p.Y;
        var text = y.Scalar(value, "rlimit_core");
        bool unlimited = text == "unlimited";
        if (!unlimited && text != "0") throw y.Error(value, "rlimit_core is 0 or unlimited");
        ulong v = unlimited ? ulong.MaxValue : 0;
        return Macro(pos, $"rlimit_core {text}", "prlimit64", [Int(0), Int(RLIMIT_CORE), new BufferValue(ScratchLayout.Prepared), Int(0)]) with
        {
            Effect = new SetsCoreLimit(unlimited), DefaultExpect = Ok,
            Prepare = [new ScratchStore(ScratchLayout.Prepared, 8, Int((long)v)), new ScratchStore(ScratchLayout.Prepared + 8, 8, Int((long)v))],
        };
    }

    internal override void WriteStep(StepWriter w, CallStep step) =>
        w.Operand(((SetsCoreLimit)step.Effect!).Enabled ? "unlimited" : "0");
}
