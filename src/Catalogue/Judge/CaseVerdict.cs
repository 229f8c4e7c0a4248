namespace Conformance.Catalogue.Judge;

public enum CaseStatus { Pass, Fail, Skip, Error }

/// <summary>One judged expectation: what the step had to observe and what it did.</summary>
public sealed record Check(string Step, string Where, string Expected, string Observed, bool Passed, bool FromModel);

/// <summary>The verdict on one case on one kernel, with every check that led to it.</summary>
public sealed record CaseVerdict(string Id, CaseStatus Status, string Reason, IReadOnlyList<Check> Checks)
{
    public static CaseVerdict Skipped(string id, string reason) => new(id, CaseStatus.Skip, reason, []);
    public static CaseVerdict Errored(string id, string reason) => new(id, CaseStatus.Error, reason, []);

    /// <summary>What was expected, step by step, for reports.</summary>
    public string Expected => string.Join("\n", Checks.Select(c => $"{c.Step}: {c.Expected}"));

    /// <summary>What was observed, step by step, for reports.</summary>
    public string Observed => string.Join("\n", Checks.Select(c => $"{c.Step}: {c.Observed}"));
}
