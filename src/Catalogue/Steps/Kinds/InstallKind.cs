using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`install: NAME`: installs one of the case's filters through seccomp(2) or prctl, with flags and an fprog shape.</summary>
public sealed class InstallKind : CallStepKind
{
    public override string Keyword => "install";
    public override IReadOnlyList<string> Keys => ["via", "flags", "fprog"];

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var y = p.Y;
        var name = y.Scalar(value, "install");
        if (!p.Filters.ContainsKey(name))
            throw y.Error(value, $"no filter '{name}' in this case (filters: {string.Join(", ", p.Filters.Keys)})");
        var via = InstallVia.Auto;
        bool viaGiven = false;
        if (YamlNodes.Get(map, "via") is { } v)
        {
            viaGiven = true;
            via = y.Scalar(v, "via") switch
            {
                "seccomp" => InstallVia.Seccomp, "prctl" => InstallVia.Prctl,
                var t => throw y.Error(v, $"via '{t}' must be seccomp or prctl"),
            };
        }
        uint flags = 0;
        var flagNames = new List<string>();
        if (YamlNodes.Get(map, "flags") is { } f)
        {
            foreach (var item in y.Items(f, "flags"))
            {
                var t = y.Scalar(item, "flag");
                if (KernelConstants.FilterFlags.TryGetValue(t, out var bit)) { flags |= bit; flagNames.Add(t.ToUpperInvariant()); }
                else if (CaseValues.TryParseInteger(t, out var raw)) { flags |= (uint)raw; flagNames.Add($"0x{raw:x}"); }
                else throw y.Error(item, $"unknown filter flag '{t}' (known: {string.Join(", ", KernelConstants.FilterFlags.Keys)})");
            }
            if (via == InstallVia.Prctl && flags != 0) throw y.Error(f, "prctl cannot pass filter flags; use via: seccomp");
            if (!viaGiven) via = InstallVia.Seccomp;
        }
        var pointer = FilterPointer.Real;
        RuntimeValueKind? fprogPointer = null;
        uint? length = null;
        // A list combines a filter pointer with a length ([filter-null, len=0]) to show which check comes first.
        if (YamlNodes.Get(map, "fprog") is { } fp)
            foreach (var item in y.Items(fp, "fprog"))
            {
                var t = y.Scalar(item, "fprog");
                switch (t)
                {
                    case "null": fprogPointer = RuntimeValueKind.Null; break;
                    case "bad": fprogPointer = RuntimeValueKind.Bad; break;
                    case "filter-null": pointer = FilterPointer.Null; break;
                    case "filter-bad": pointer = FilterPointer.Bad; break;
                    default:
                        if (t.StartsWith("len=", StringComparison.Ordinal) && CaseValues.TryParseInteger(t[4..], out var l) && l is >= 0 and <= ushort.MaxValue)
                            length = (uint)l;
                        else throw y.Error(item, $"fprog '{t}' must be null, bad, filter-null, filter-bad or len=N");
                        break;
                }
            }
        if (fprogPointer is not null && (pointer != FilterPointer.Real || length is not null))
            throw y.Error(map, "fprog null or bad has no filter pointer or length to combine with");
        ValueExpr fprog = fprogPointer is { } k ? new FprogPointerValue(k) : new FilterValue(name, pointer, length);
        var info = new InstallInfo(name, via, flags, flagNames, pointer, fprogPointer, length);
        // Auto is written as seccomp(2); the compiler turns it into prctl on a kernel without the syscall.
        var args = via != InstallVia.Prctl
            ? new ValueExpr[] { Int(SECCOMP_SET_MODE_FILTER), Int(flags), fprog }
            : [Int(PR_SET_SECCOMP), Int(SECCOMP_MODE_FILTER), fprog, Int(0), Int(0)];
        var label = $"install {name}" + (flagNames.Count > 0 ? $" [{string.Join("|", flagNames)}]" : "");
        return new CallStep(pos, label, new SyscallNameValue(via != InstallVia.Prctl ? "seccomp" : "prctl"), args)
        {
            WrittenAs = this,
            Effect = info,
            // Without an expectation an install must succeed: anything else makes the case meaningless.
            DefaultExpect = (flags & FilterFlags["NEW_LISTENER"]) != 0 ? new Matcher { Ret = GreaterOrEqual(0) }
                : (flags & FilterFlags["TSYNC"]) != 0 ? new Matcher { Ret = GreaterOrEqual(0) } : Ok,
        };
    }

    /// <summary>An install with no `via` uses prctl on a kernel without seccomp(2) (before 3.17).</summary>
    internal override CallStep Adapt(CaseCompiler c, CallStep call) =>
        call.Effect is InstallInfo { Via: InstallVia.Auto } install && c.Features is { } f && install.On(f.Has("seccomp_syscall")) == InstallVia.Prctl
            ? call with { Nr = new SyscallNameValue("prctl"), Args = [new IntValue(PR_SET_SECCOMP), new IntValue(SECCOMP_MODE_FILTER), call.Args[2], new IntValue(0), new IntValue(0)] }
            : call;

    internal override void ApplyEffect(CaseJudge judge, CallStep step, SyscallObservation call, StepInfo info, ActorState state)
    {
        // The model's transition decides what a returned value attached (a TSYNC that returned a TID attached nothing).
        if (step.Effect is InstallInfo install)
            judge.Attach(state, install, info.Abi, call.Ret);
    }

    internal override void WriteStep(StepWriter w, CallStep step)
    {
        var install = (InstallInfo)step.Effect!;
        w.Operand(install.Filter);
        if (install.Via != InstallVia.Auto) w.Key("via", install.Via == InstallVia.Prctl ? "prctl" : "seccomp");
        if (install.FlagNames.Count > 0) w.Key("flags", StepWriter.Flow(install.FlagNames.Select(n => (YamlNode)StepWriter.Scalar(n))));
        var fprog = new List<YamlNode>();
        if (install.FprogPointer is { } k) fprog.Add(StepWriter.Scalar(k == RuntimeValueKind.Null ? "null" : "bad"));
        if (install.FilterPointer != FilterPointer.Real) fprog.Add(StepWriter.Scalar(install.FilterPointer == FilterPointer.Null ? "filter-null" : "filter-bad"));
        if (install.Length is { } len) fprog.Add(StepWriter.Scalar($"len={len}"));
        if (fprog.Count > 0) w.Key("fprog", StepWriter.Flow(fprog));
    }
}
