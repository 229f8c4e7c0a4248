namespace Conformance.Executor.Features;

/// <summary>Two witnesses of one feature that contradict each other: a failed detection, reported as its own case.</summary>
public sealed record WitnessDisagreement(string Feature, Witness Saw, Witness Missed)
{
    /// <summary>The detection case the run reports for it.</summary>
    public string CaseId => "detection/witness/" + Feature.Replace(':', '_').ToLowerInvariant();

    public string Reason => $"witnesses disagree on {Feature}: {Saw.Name} gave {Saw.Answer} (present), {Missed.Name} gave {Missed.Answer} (absent)";
}
