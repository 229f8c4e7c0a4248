namespace Conformance.Executor.Features;

/// <summary>
/// Every witness of one feature and the decision they make together. Silent witnesses do not vote.
/// When one witness sees the feature and another sees it missing the feature counts as present, so
/// the cases that need it run and are judged: a kernel that lies to one probe then fails those cases
/// as well as the detection case that names the disagreement, instead of quietly skipping them.
/// </summary>
public sealed record FeatureWitnesses(string Feature, IReadOnlyList<Witness> Witnesses)
{
    public bool Present => Witnesses.Any(w => w.Says == Sighting.Present);

    /// <summary>The first witness that saw the feature against the first that saw it missing, if any.</summary>
    public WitnessDisagreement? Disagreement =>
        Witnesses.FirstOrDefault(w => w.Says == Sighting.Present) is { } yes && Witnesses.FirstOrDefault(w => w.Says == Sighting.Absent) is { } no
            ? new WitnessDisagreement(Feature, yes, no)
            : null;

    public FeatureWitnesses With(Witness witness) => this with { Witnesses = [.. Witnesses, witness] };
}
