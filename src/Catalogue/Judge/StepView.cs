using Conformance.Machines.Protocol;

namespace Conformance.Catalogue.Judge;

/// <summary>Everything one actor recorded while running one step, plus whether it died there.</summary>
public sealed record StepView(IReadOnlyList<Observation> Observations, bool DiedHere, Fate? ObservedFate)
{
    /// <summary>The step's calls read text (kmsg_read): their records are bytes of text, never a wait status.</summary>
    public bool ReadsText { get; init; }

    /// <summary>The step is a wait: its call recorded the child's wait status (no other step's record is one).</summary>
    public bool IsWait { get; init; }

    /// <summary>The step's system call (not one made from inside the signal handler).</summary>
    public SyscallObservation? Call => Observations.OfType<SyscallObservation>().FirstOrDefault(o => !o.FromHandler);
    public IEnumerable<SyscallObservation> Calls => Observations.OfType<SyscallObservation>();
    public IEnumerable<SigInfoObservation> Signals => Observations.OfType<SigInfoObservation>();
    public FileObservation? File => Observations.OfType<FileObservation>().FirstOrDefault();
    public JoinObservation? Join => Observations.OfType<JoinObservation>().FirstOrDefault();
    public bool Marked => Observations.OfType<MarkObservation>().Any();
    public IEnumerable<TraceStopObservation> Stops => Observations.OfType<TraceStopObservation>();
    public TraceEndObservation? TraceEnd => Observations.OfType<TraceEndObservation>().FirstOrDefault();
    public bool TimedOut => Observations.OfType<TimeoutObservation>().Any();
    public bool Recorded => Observations.Count > 0;
}
