namespace Conformance.Catalogue.Judge;

/// <summary>
/// A case's status. Xfail and Xpass come only from a known-failures list applied to a judged
/// verdict (Reports/KnownFailureSink): Xfail is a listed case that failed or errored as expected,
/// Xpass a listed case that passed, which counts as a failure so the list gets updated.
/// </summary>
public enum CaseStatus { Pass, Fail, Skip, Error, Xfail, Xpass }

/// <summary>One judged expectation: what the step had to observe and what it did.</summary>
public sealed record Check(string Step, string Where, string Expected, string Observed, bool Passed, bool FromModel)
{
    /// <summary>
    /// False for a step the case asked to observe (`observe`, or `[model, observe]` where the model
    /// cannot say): what it did is recorded, nothing was held against it, and it never fails.
    /// </summary>
    public bool Judged { get; init; } = true;

    /// <summary>The keyword of the step's kind ("install", "call", ...; "case" for the case itself), for tools that group checks.</summary>
    public string? Keyword { get; init; }

    /// <summary>For a `cache:` check, how the listing departed from the model's action cache; null for any other check.</summary>
    public CacheDeparture? Cache { get; init; }
}

/// <summary>The known-failures entry that turned a verdict into Xfail or Xpass, and the status the judge gave before it.</summary>
public sealed record KnownFailureNote(string Reason, string Where, CaseStatus Judged);

/// <summary>The verdict on one case on one kernel, with every check that led to it.</summary>
public sealed record CaseVerdict(string Id, CaseStatus Status, string Reason, IReadOnlyList<Check> Checks)
{
    public static CaseVerdict Skipped(string id, string reason) => new(id, CaseStatus.Skip, reason, []);
    public static CaseVerdict Errored(string id, string reason) => new(id, CaseStatus.Error, reason, []);

    /// <summary>Set on Xfail and Xpass verdicts only; Reason and Checks stay the judge's.</summary>
    public KnownFailureNote? Known { get; init; }

    /// <summary>The judge's status, before any known-failures list changed it.</summary>
    public CaseStatus Judged => Known?.Judged ?? Status;

    /// <summary>What was expected, step by step, for reports.</summary>
    public string Expected => string.Join("\n", Checks.Select(c => $"{c.Step}: {c.Expected}"));

    /// <summary>What was observed, step by step, for reports.</summary>
    public string Observed => string.Join("\n", Checks.Select(c => $"{c.Step}: {c.Observed}"));
}
