using Conformance.Catalogue.Judge;

namespace Conformance.Catalogue.Steps;

/// <summary>One actor's walk through its steps: where its records are, its state, and the death the model predicted so far.</summary>
sealed class WalkFrame(ActorCursor actor, ActorState state, Fate? observedFate)
{
    public ActorCursor Actor { get; } = actor;
    public ActorState State { get; } = state;
    public Fate? ObservedFate { get; } = observedFate;
    public Fate? PredictedDeath { get; set; }
}
