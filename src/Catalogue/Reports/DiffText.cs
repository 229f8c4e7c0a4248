using System.Text;

namespace Conformance.Catalogue.Reports;

/// <summary>`diff`'s output: for each pair of runs, the cases whose status differs, the cases only one run has, then the counts.</summary>
public static class DiffText
{
    public static string Render(ResultsDiffReport report)
    {
        var sb = new StringBuilder();
        foreach (var pair in report.Pairs)
        {
            if (sb.Length > 0) sb.Append('\n');
            Render(sb, pair);
        }
        foreach (var a in report.UnpairedA)
            sb.Append($"\nonly in A: {Describe(a)} (B has no {a.Arch} run)\n");
        foreach (var b in report.UnpairedB)
            sb.Append($"\nonly in B: {Describe(b)} (A has no {b.Arch} run)\n");
        return sb.ToString();
    }

    static void Render(StringBuilder sb, ResultsComparison c)
    {
        sb.Append($"A: {Describe(c.A)}\n");
        sb.Append($"B: {Describe(c.B)}\n");
        int width = c.Changed.Select(x => x.Id.Length).Concat(c.OnlyA.Concat(c.OnlyB).Select(x => x.Id.Length)).DefaultIfEmpty(0).Max();

        sb.Append($"\nstatus differs ({c.Changed.Count}):\n");
        foreach (var change in c.Changed)
        {
            sb.Append($"  {change.Id.PadRight(width)}  {change.A.Status,-5} -> {change.B.Status}\n");
            Reason(sb, "A", change.A);
            Reason(sb, "B", change.B);
        }
        sb.Append($"\nonly in A ({c.OnlyA.Count}):\n");
        foreach (var o in c.OnlyA)
            sb.Append($"  {o.Id.PadRight(width)}  {o.Status}\n");
        sb.Append($"\nonly in B ({c.OnlyB.Count}):\n");
        foreach (var o in c.OnlyB)
            sb.Append($"  {o.Id.PadRight(width)}  {o.Status}\n");

        sb.Append("\ncounts        A       B\n");
        foreach (var s in ResultsFile.Statuses)
            sb.Append($"  {s,-6} {c.A.Count(s),7} {c.B.Count(s),7}\n");
        sb.Append($"  {"total",-6} {c.A.Cases.Count,7} {c.B.Cases.Count,7}\n");
        sb.Append($"  same status: {c.Same}, status differs: {c.Changed.Count}, only in A: {c.OnlyA.Count}, only in B: {c.OnlyB.Count}\n");
    }

    /// <summary>The judge's reason, and for xfail and xpass the known-failures reason beside it.</summary>
    static void Reason(StringBuilder sb, string side, CaseOutcome o)
    {
        if (o.Reason.Length > 0) sb.Append($"      {side}: {OneLine(o.Reason)}\n");
        if (o.Known.Length > 0) sb.Append($"      {side} known failure: {OneLine(o.Known)}\n");
    }

    static string Describe(ResultsFile r) =>
        $"{r.Path}  {(r.Release.Length > 0 ? $"{r.Machine} (profile {r.Profile})" : "(the machine never reported)")}"
        + (r.Complete ? "" : "  [incomplete run]");

    static string OneLine(string text) => string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
