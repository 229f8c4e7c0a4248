using System.Text;
using Conformance.Catalogue.Run;

namespace Conformance.Catalogue.Reports;

/// <summary>The table printed when every kernel's run has ended: one row per kernel, counts and time.</summary>
public static class SummaryTable
{
    /// <summary>A run with no summary (the harness gave up on it) shows as "did not finish".</summary>
    public static string Render(IReadOnlyList<(string Label, RunSummary? Summary)> runs)
    {
        var header = new[] { "kernel", "pass", "fail", "xfail", "xpass", "skip", "error", "total", "time", "result" };
        var rows = runs.Select(r => r.Summary is { } s
            ? new[]
            {
                r.Label, s.Pass.ToString(), s.Fail.ToString(), s.Xfail.ToString(), s.Xpass.ToString(), s.Skip.ToString(), s.Error.ToString(),
                s.Total.ToString(), $"{s.Elapsed.TotalSeconds:0.0} s", s.Failed ? "FAILED" : "ok",
            }
            : [r.Label, "", "", "", "", "", "", "", "", "did not finish"]).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var sb = new StringBuilder();
        void Row(string[] cells)
        {
            var line = new StringBuilder();
            for (int i = 0; i < cells.Length; i++)
            {
                // Names and words left-aligned, numbers right-aligned.
                var cell = i == 0 || i == cells.Length - 1 ? cells[i].PadRight(widths[i]) : cells[i].PadLeft(widths[i]);
                line.Append(i == 0 ? cell : "  " + cell);
            }
            sb.Append(line.ToString().TrimEnd()).Append('\n');
        }
        Row(header);
        Row(widths.Select(w => new string('-', w)).ToArray());
        foreach (var r in rows)
            Row(r);
        return sb.ToString();
    }
}
