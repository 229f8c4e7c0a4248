using Conformance.Catalogue.Judge;
using Conformance.Executor.Features;

namespace Conformance.Catalogue.Run;

/// <summary>
/// Each disagreement between two witnesses of a feature, as a failed case of its own: detection is
/// checked, not believed, and a run whose probes contradict each other cannot pass.
/// </summary>
public static class DetectionFailures
{
    /// <summary>Where a report says these cases come from: the probe every machine runs, not a case file.</summary>
    public const string Source = "src/Executor/Features/FeatureProbe.cs";

    public static IReadOnlyList<CaseReport> Of(KernelFeatures features) =>
        features.Disagreements.Select(d => new CaseReport(null, d.CaseId, $"the feature probe's witnesses of {d.Feature} agree", Source,
            new CaseVerdict(d.CaseId, CaseStatus.Fail, d.Reason,
            [
                new Check(d.Saw.Name, "feature probe", $"{d.Feature} present, as {d.Saw.Name} saw", d.Saw.Answer, true, false),
                new Check(d.Missed.Name, "feature probe", $"{d.Feature} present, as {d.Saw.Name} saw", d.Missed.Answer, false, false),
            ]), TimeSpan.Zero, null)).ToList();
}
