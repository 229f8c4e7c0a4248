using Conformance.Machines.Protocol;

namespace Conformance.Catalogue.Judge;

/// <summary>A case's observation log cut into actors: each process or thread's records in the order it made them.</summary>
public sealed class ObservationIndex
{
    readonly Dictionary<(int Pid, int Tid), List<Observation>> _byActor = [];

    public ObservationIndex(IReadOnlyList<Observation> observations)
    {
        foreach (var o in observations)
        {
            if (!_byActor.TryGetValue((o.Pid, o.Tid), out var list))
                _byActor[(o.Pid, o.Tid)] = list = [];
            list.Add(o);
        }
    }

    public IReadOnlyList<Observation> Of(int pid, int tid) => _byActor.TryGetValue((pid, tid), out var l) ? l : [];

    /// <summary>The START records a step made (a fork's child, a thread, an exec'd image); the root's has step 0xffff.</summary>
    public IEnumerable<StartObservation> StartsOf(ushort step) =>
        _byActor.Values.SelectMany(l => l).OfType<StartObservation>().Where(s => s.StepId == step);
}
