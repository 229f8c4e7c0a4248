using System.Text.RegularExpressions;

namespace Conformance.Benchmarks.Selftest;

public enum KselftestStatus { Pass, Fail, Skip, XFail, Error }

/// <summary>One test result line of a kselftest, with the name the harness announced for it.</summary>
public sealed record KselftestResult(int Number, string Name, KselftestStatus Status, string? Reason);

/// <summary>
/// What a kselftest printed, read from its KTAP (TAP 13) output as kselftest.h and
/// kselftest_harness.h write it: the plan "1..N", one "ok N name" / "not ok N name" per test, and a
/// closing "# Totals: pass:.. fail:.. xfail:.. xpass:.. skip:.. error:..". In 6.1 a skipped test's
/// line carries only the reason ("ok 7 # SKIP reason"), so names are taken from the harness's
/// "#  RUN  fixture.test ..." line before each result. Kernel messages may sit between the lines.
/// </summary>
public sealed partial record KselftestReport(int? Plan, IReadOnlyList<KselftestResult> Results, KselftestTotals? Totals)
{
    public int Pass => Count(KselftestStatus.Pass);
    public int Fail => Count(KselftestStatus.Fail);
    public int Skip => Count(KselftestStatus.Skip);
    public int XFail => Count(KselftestStatus.XFail);
    public int Error => Count(KselftestStatus.Error);

    /// <summary>Tests that ran to a verdict (not skipped).</summary>
    public int Ran => Results.Count - Skip;

    /// <summary>The plan was announced, every planned test reported, and the totals line agrees.</summary>
    public bool Complete => Plan == Results.Count && Totals is { } t
        && t.Pass == Pass && t.Fail == Fail && t.Skip == Skip && t.XFail == XFail && t.Error == Error;

    int Count(KselftestStatus status) => Results.Count(r => r.Status == status);

    public static KselftestReport Parse(string output)
    {
        int? plan = null;
        string? announced = null;
        KselftestTotals? totals = null;
        var results = new List<KselftestResult>();
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r', ' ');
            if (PlanLine().Match(line) is { Success: true } p)
            {
                plan ??= int.Parse(p.Groups[1].Value);
            }
            else if (RunLine().Match(line) is { Success: true } run)
            {
                announced = run.Groups[1].Value;
            }
            else if (ResultLine().Match(line) is { Success: true } r)
            {
                var number = int.Parse(r.Groups["number"].Value);
                var description = r.Groups["description"].Value.Trim();
                var directive = r.Groups["directive"].Success ? r.Groups["directive"].Value.Trim() : null;
                var (status, reason) = Classify(r.Groups["not"].Success, directive);
                var name = description.Length > 0 ? description : announced ?? $"test {number}";
                results.Add(new KselftestResult(number, name, status, reason));
                announced = null;
            }
            else if (TotalsLine().Match(line) is { Success: true } t)
            {
                totals = new KselftestTotals(Int(t, "pass"), Int(t, "fail"), Int(t, "xfail"), Int(t, "xpass"), Int(t, "skip"), Int(t, "error"));
            }
        }
        return new KselftestReport(plan, results, totals);
    }

    /// <summary>TAP directives after '#': SKIP and XFAIL on "ok", "error" on "not ok" (kselftest.h).</summary>
    static (KselftestStatus, string?) Classify(bool notOk, string? directive)
    {
        if (directive is null)
            return (notOk ? KselftestStatus.Fail : KselftestStatus.Pass, null);
        var word = directive.Split(' ', 2);
        var reason = word.Length > 1 && word[1].Trim().Length > 0 ? word[1].Trim() : null;
        return word[0].ToUpperInvariant() switch
        {
            "SKIP" when !notOk => (KselftestStatus.Skip, reason),
            "XFAIL" when !notOk => (KselftestStatus.XFail, reason),
            "ERROR" when notOk => (KselftestStatus.Error, reason),
            // Any other '#' text is part of the description as far as the verdict goes.
            _ => (notOk ? KselftestStatus.Fail : KselftestStatus.Pass, null),
        };
    }

    static int Int(Match m, string group) => int.Parse(m.Groups[group].Value);

    [GeneratedRegex(@"^1\.\.(\d+)$")]
    private static partial Regex PlanLine();

    [GeneratedRegex(@"^#\s+RUN\s+(\S+) \.\.\.$")]
    private static partial Regex RunLine();

    [GeneratedRegex(@"^(?<not>not )?ok (?<number>\d+)(?<description>[^#]*)(#(?<directive>.*))?$")]
    private static partial Regex ResultLine();

    [GeneratedRegex(@"^# Totals: pass:(?<pass>\d+) fail:(?<fail>\d+) xfail:(?<xfail>\d+) xpass:(?<xpass>\d+) skip:(?<skip>\d+) error:(?<error>\d+)$")]
    private static partial Regex TotalsLine();
}

/// <summary>The counts a kselftest prints about itself on its "# Totals:" line.</summary>
public sealed record KselftestTotals(int Pass, int Fail, int XFail, int XPass, int Skip, int Error);
