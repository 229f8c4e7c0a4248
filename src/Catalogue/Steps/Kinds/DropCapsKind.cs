using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`drop_caps: [SYS_ADMIN]` / `drop_caps: all`: capset, the named capabilities out of every set.</summary>
public sealed class DropCapsKind : CallStepKind
{
    public override string Keyword => "drop_caps";

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var y = p.Y;
        ulong mask = 0;
        bool all = value is YamlScalarNode { Value: "all" };
        if (!all)
            foreach (var item in y.Items(value, "drop_caps"))
            {
                var t = y.Scalar(item, "capability");
                var name = t.StartsWith("CAP_", StringComparison.Ordinal) ? t[4..] : t;
                if (!Capabilities.TryGetValue(name, out var bit)) throw y.Error(item, $"unknown capability '{t}'");
                mask |= 1UL << bit;
            }
        // The data words are filled in at compile time from the kernel's cap_last_cap (probed).
        return Macro(pos, all ? "drop_caps all" : "drop_caps", "capset",
                [new BufferValue(ScratchLayout.Prepared), new BufferValue(ScratchLayout.Prepared + UserCapHeaderLayout.Size)]) with
            { Effect = new DropsCapabilities(mask, all), DefaultExpect = Ok };
    }

    /// <summary>The capability words depend on the probed kernel.</summary>
    internal override IReadOnlyList<ScratchStore> Prepare(CaseCompiler c, CallStep call)
    {
        var drop = (DropsCapabilities)call.Effect!;
        int last = c.Features?.CapLastCap ?? 40;
        ulong full = last >= 63 ? ulong.MaxValue : (1UL << (last + 1)) - 1;
        // capset may only lower the sets: keep what the agent was found to hold (a container's
        // agent may lack some), not every capability the kernel knows.
        ulong held = c.Features?.CapEffective is { } eff ? eff & full : full;
        ulong keep = drop.All ? 0 : held & ~drop.Mask;
        const uint at = ScratchLayout.Prepared;
        // struct __user_cap_data_struct[2] follows the header: bits 0-31, then 32-63.
        const uint low = at + UserCapHeaderLayout.Size, high = low + UserCapDataLayout.Size;
        return
        [
            new ScratchStore(at + UserCapHeaderLayout.Version, 4, new IntValue(LinuxCapabilityVersion3)),
            new ScratchStore(at + UserCapHeaderLayout.Pid, 4, new IntValue(0)),
            new ScratchStore(low + UserCapDataLayout.Effective, 4, new IntValue((uint)keep)),
            new ScratchStore(low + UserCapDataLayout.Permitted, 4, new IntValue((uint)keep)),
            new ScratchStore(low + UserCapDataLayout.Inheritable, 4, new IntValue(0)),
            new ScratchStore(high + UserCapDataLayout.Effective, 4, new IntValue((uint)(keep >> 32))),
            new ScratchStore(high + UserCapDataLayout.Permitted, 4, new IntValue((uint)(keep >> 32))),
            new ScratchStore(high + UserCapDataLayout.Inheritable, 4, new IntValue(0)),
        ];
    }

    internal override void ApplyEffect(CaseJudge judge, CallStep step, SyscallObservation call, StepInfo info, ActorState state)
    {
        if (step.Effect is DropsCapabilities d && (d.All || (d.Mask & (1UL << CAP_SYS_ADMIN)) != 0)) state.CapSysAdmin = false;
    }

    internal override void WriteStep(StepWriter w, CallStep step)
    {
        var drop = (DropsCapabilities)step.Effect!;
        if (drop.All) { w.Operand("all"); return; }
        var names = Enumerable.Range(0, 64).Where(bit => (drop.Mask & (1UL << bit)) != 0)
            .Select(bit => Capabilities.First(kv => kv.Value == bit).Key);
        w.Operand(StepWriter.Flow(names.Select(n => (YamlNode)StepWriter.Scalar(n))));
    }
}
