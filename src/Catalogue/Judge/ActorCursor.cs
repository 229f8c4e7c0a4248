using Conformance.Machines.Protocol;
using Conformance.Catalogue.Compile;

namespace Conformance.Catalogue.Judge;

/// <summary>Walks one actor's records in order, handing each step the records it made.</summary>
sealed class ActorCursor(IReadOnlyList<Observation> records, CompiledCase compiled)
{
    int _next;

    public bool Ended => records.Any(r => r is EndObservation);

    /// <summary>No records left apart from the actor's END.</summary>
    public bool Exhausted => records.Skip(_next).All(r => r is EndObservation);

    public void Skip(Func<Observation, bool> what)
    {
        while (_next < records.Count && what(records[_next])) _next++;
    }

    /// <summary>The records of one step: those with its id at the cursor (records of internal helper steps are passed over).</summary>
    public IReadOnlyList<Observation> Take(ushort step)
    {
        var taken = new List<Observation>();
        while (_next < records.Count)
        {
            var r = records[_next];
            if (r.StepId == step) taken.Add(r);
            else if (!(compiled.Steps.TryGetValue(r.StepId, out var info) && info.Internal)) break;
            _next++;
        }
        return taken;
    }
}
