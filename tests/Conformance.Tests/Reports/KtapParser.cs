using System.Text.RegularExpressions;

namespace Conformance.Tests.Reports;

/// <summary>One KTAP result line with the diagnostic lines that came right before it.</summary>
sealed record KtapResult(bool Ok, int Number, string Name, string? Directive, string? DirectiveText, IReadOnlyList<string> Diagnostics);

sealed record KtapDocument(int? Plan, IReadOnlyList<KtapResult> Results, IReadOnlyList<string> TrailingDiagnostics);

/// <summary>
/// A strict reader of flat KTAP version 1 (Documentation/dev-tools/ktap.rst), written for these
/// tests: version line first, the plan right after it if there is one, results numbered from 1
/// without gaps, descriptions without '#', and nothing but diagnostic lines in between. The
/// harness's own files have no console noise, so an unknown line is an error here.
/// </summary>
static partial class KtapParser
{
    [GeneratedRegex(@"^(?<notok>not )?ok (?<n>\d+)(?: (?<name>[^#]*?))?(?: # (?<directive>SKIP|TODO|XFAIL|TIMEOUT|ERROR)?(?: ?(?<text>.*))?)?$")]
    private static partial Regex ResultLine();

    [GeneratedRegex(@"^1\.\.(?<n>\d+)$")]
    private static partial Regex PlanLine();

    public static KtapDocument Parse(string text)
    {
        var lines = text.Split('\n');
        if (lines[^1].Length != 0)
            throw new FormatException($"the last line is not terminated: '{lines[^1]}'");
        lines = lines[..^1];
        if (lines.Length == 0 || lines[0] != "KTAP version 1")
            throw new FormatException($"line 1 must be 'KTAP version 1', not '{lines.FirstOrDefault()}'");
        int? plan = null;
        int i = 1;
        if (lines.Length > 1 && PlanLine().Match(lines[1]) is { Success: true } p)
        {
            plan = int.Parse(p.Groups["n"].Value);
            i = 2;
        }
        var results = new List<KtapResult>();
        var diagnostics = new List<string>();
        for (; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("# ", StringComparison.Ordinal) || line == "#")
            {
                diagnostics.Add(line.Length > 2 ? line[2..] : "");
                continue;
            }
            var m = ResultLine().Match(line);
            if (!m.Success)
                throw new FormatException($"line {i + 1} is neither a result nor a diagnostic: '{line}'");
            int n = int.Parse(m.Groups["n"].Value);
            if (n != results.Count + 1)
                throw new FormatException($"line {i + 1}: result {n} where {results.Count + 1} was due");
            if (plan is { } planned && n > planned)
                throw new FormatException($"line {i + 1}: result {n} beyond the plan 1..{planned}");
            results.Add(new KtapResult(!m.Groups["notok"].Success, n, m.Groups["name"].Value,
                m.Groups["directive"].Success ? m.Groups["directive"].Value : null,
                m.Groups["text"].Success ? m.Groups["text"].Value : null, diagnostics));
            diagnostics = [];
        }
        return new KtapDocument(plan, results, diagnostics);
    }
}
