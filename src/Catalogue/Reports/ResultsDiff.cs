namespace Conformance.Catalogue.Reports;

/// <summary>A case whose status differs between two runs.</summary>
public sealed record StatusChange(string Id, CaseOutcome A, CaseOutcome B);

/// <summary>Two runs compared case by case (A is usually upstream, B the kernel under question).</summary>
public sealed record ResultsComparison(
    ResultsFile A, ResultsFile B, IReadOnlyList<StatusChange> Changed, IReadOnlyList<CaseOutcome> OnlyA, IReadOnlyList<CaseOutcome> OnlyB, int Same)
{
    public bool StatusDiffers => Changed.Count > 0;
}

/// <summary>The comparisons `diff` makes: the runs paired up, and what could not be paired.</summary>
public sealed record ResultsDiffReport(IReadOnlyList<ResultsComparison> Pairs, IReadOnlyList<ResultsFile> UnpairedA, IReadOnlyList<ResultsFile> UnpairedB)
{
    public bool StatusDiffers => Pairs.Any(p => p.StatusDiffers);
}

/// <summary>Compares runs: one against one directly, or folders of several kernels pairwise by arch.</summary>
public static class ResultsDiff
{
    public static ResultsComparison Compare(ResultsFile a, ResultsFile b)
    {
        var inB = b.Cases.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var inA = a.Cases.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var changed = new List<StatusChange>();
        var onlyA = new List<CaseOutcome>();
        int same = 0;
        foreach (var ca in a.Cases)
        {
            if (!inB.TryGetValue(ca.Id, out var cb))
                onlyA.Add(ca);
            // What the kernels did, not what their known lists say: a case that fails on both is the same
            // whether or not one side lists it.
            else if (ca.Judged != cb.Judged)
                changed.Add(new StatusChange(ca.Id, ca, cb));
            else
                same++;
        }
        var onlyB = b.Cases.Where(c => !inA.Contains(c.Id)).ToList();
        return new ResultsComparison(a, b, changed, onlyA, onlyB, same);
    }

    /// <summary>
    /// One run on each side is compared directly, whatever its kernel (that is what naming two runs
    /// means). Otherwise runs pair by arch; two runs of one arch on the same side cannot be paired.
    /// </summary>
    public static ResultsDiffReport Compare(IReadOnlyList<ResultsFile> a, IReadOnlyList<ResultsFile> b)
    {
        if (a.Count == 1 && b.Count == 1)
            return new ResultsDiffReport([Compare(a[0], b[0])], [], []);
        CheckOnePerArch(a);
        CheckOnePerArch(b);
        var pairs = new List<ResultsComparison>();
        foreach (var ra in a)
            if (b.FirstOrDefault(rb => rb.Arch == ra.Arch) is { } match)
                pairs.Add(Compare(ra, match));
        return new ResultsDiffReport(pairs,
            a.Where(ra => b.All(rb => rb.Arch != ra.Arch)).ToList(),
            b.Where(rb => a.All(ra => ra.Arch != rb.Arch)).ToList());
    }

    static void CheckOnePerArch(IReadOnlyList<ResultsFile> runs)
    {
        foreach (var group in runs.GroupBy(r => r.Arch).Where(g => g.Count() > 1))
            throw new ResultsFormatException(group.First().Path,
                $"two runs for arch '{group.Key}' on one side ({string.Join(", ", group.Select(r => r.Path))}); name the runs to compare directly");
    }
}
