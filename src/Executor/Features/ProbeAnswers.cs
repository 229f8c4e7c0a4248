using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;

namespace Conformance.Executor.Features;

/// <summary>The feature probe's observations looked up by step.</summary>
internal sealed class ProbeAnswers(CaseResult result)
{
    public long? Ret(ushort step) => result.Observations.OfType<SyscallObservation>().FirstOrDefault(o => o.StepId == step)?.Ret;

    public byte[]? Recorded(ushort step) => result.Observations.OfType<SyscallObservation>().FirstOrDefault(o => o.StepId == step)?.Recorded;

    public FileObservation? File(ushort step) => result.Observations.OfType<FileObservation>().FirstOrDefault(o => o.StepId == step);

    public IEnumerable<SigInfoObservation> SigInfos => result.Observations.OfType<SigInfoObservation>();

    public IEnumerable<MarkObservation> Marks => result.Observations.OfType<MarkObservation>();

    /// <summary>A raw return as a report shows it: the errno's name, or the value; "no answer" when the step never ran.</summary>
    public static string Describe(long? ret) => ret switch
    {
        null => "no answer",
        < 0 and >= -4095 => Errnos.Name((int)-ret.Value),
        _ => "ret " + ret.Value,
    };
}
