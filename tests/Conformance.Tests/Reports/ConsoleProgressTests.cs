using Conformance.Catalogue.Reports;
using Conformance.Catalogue.Run;

namespace Conformance.Tests.Reports;

public class ConsoleProgressTests
{
    static List<CaseReport> Twenty() =>
        Enumerable.Range(1, 20).Select(i => i == 7 ? ReportSamples.Fail("g/seven") : i == 13 ? ReportSamples.Error("g/thirteen") : ReportSamples.Pass($"g/c{i}")).ToList();

    static void Run(IRunSink sink, IReadOnlyList<CaseReport> cases)
    {
        sink.OnStart(cases.Count);
        sink.OnMachine(ReportSamples.Machine());
        foreach (var c in cases)
            sink.OnCase(c);
        sink.OnFinished(ReportSamples.Summarize(cases));
    }

    [Test]
    public void In_a_log_there_are_whole_lines_only_failures_as_they_happen_and_a_line_per_tenth()
    {
        var output = new StringWriter();
        var board = new ProgressBoard(output, interactive: false);
        Run(board.Track("x86_64"), Twenty());
        var text = output.ToString();
        Assert.That(text, Does.Not.Contain("\r").And.Not.Contain("\u001b"), "no cursor tricks outside a terminal");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.StartWith("[x86_64] qemu/x86_64/6.1.0-56-cloud-amd64: profile linux-6.1").And.Contain("mode 2 supported"));
        Assert.That(lines, Does.Contain("[x86_64] FAIL g/seven: call read: expected errno E2BIG (model), observed ret -1 (EPERM)"));
        Assert.That(lines, Has.Some.StartsWith("[x86_64] ERROR g/thirteen: Panic"));
        Assert.That(lines.Where(l => l.Contains("cases done")).ToList(), Is.EqualTo(new[]
        {
            "[x86_64] 2/20 cases done", "[x86_64] 4/20 cases done", "[x86_64] 6/20 cases done",
            "[x86_64] 8/20 cases done (1 failed, 0 errors so far)", "[x86_64] 10/20 cases done (1 failed, 0 errors so far)",
            "[x86_64] 12/20 cases done (1 failed, 0 errors so far)", "[x86_64] 14/20 cases done (1 failed, 1 errors so far)",
            "[x86_64] 16/20 cases done (1 failed, 1 errors so far)", "[x86_64] 18/20 cases done (1 failed, 1 errors so far)",
        }));
        Assert.That(lines[^1], Is.EqualTo("[x86_64] done: 18 passed, 1 failed, 0 skipped, 1 errors (20 cases, 3.5 s)"));
        // The failure is printed when it is judged, between the progress lines around it.
        Assert.That(Array.IndexOf(lines, "[x86_64] FAIL g/seven: call read: expected errno E2BIG (model), observed ret -1 (EPERM)"),
            Is.EqualTo(Array.IndexOf(lines, "[x86_64] 6/20 cases done") + 1));
    }

    static List<string> StatusLines(string text) =>
        text.Split("\r\u001b[2K").Where(s => s.Length > 0 && !s.Contains('\n')).ToList();

    [Test]
    public void On_a_terminal_one_status_line_for_every_run_is_redrawn_in_place()
    {
        var output = new StringWriter();
        var board = new ProgressBoard(output, interactive: true, width: 100);
        var a = board.Track("x86_64-6.1.0-56-cloud-amd64");
        var b = board.Track("aarch64-6.1.0-56-cloud-arm64");
        a.OnStart(3);
        b.OnStart(2);
        a.OnCase(ReportSamples.Pass("g/1"));
        b.OnCase(ReportSamples.Fail("g/2"));
        var text = output.ToString();
        Assert.That(StatusLines(text), Does.Contain("x86_64-6.1.0-56-cloud-amd64 1/3 | aarch64-6.1.0-56-cloud-arm64 0/2"));
        Assert.That(StatusLines(text)[^1], Is.EqualTo("x86_64-6.1.0-56-cloud-amd64 1/3 | aarch64-6.1.0-56-cloud-arm64 1/2 1 failed"));
        Assert.That(text, Does.Contain("\r\u001b[2K[aarch64-6.1.0-56-cloud-arm64] FAIL g/2: call read"),
            "a failure clears the status line and gets a line that stays");
        b.OnCase(ReportSamples.Pass("g/3"));
        b.OnFinished(new RunSummary(1, 1, 0, 0, TimeSpan.FromSeconds(1)));
        Assert.That(output.ToString(), Does.EndWith("[aarch64-6.1.0-56-cloud-arm64] done: 1 passed, 1 failed, 0 skipped, 0 errors (2 cases, 1.0 s)" + Environment.NewLine),
            "after a line that stays, the status waits for the next case");
        a.OnCase(ReportSamples.Pass("g/4"));
        Assert.That(StatusLines(output.ToString())[^1], Is.EqualTo("x86_64-6.1.0-56-cloud-amd64 2/3"), "a finished run leaves the status line");
        board.End();
        Assert.That(output.ToString(), Does.EndWith("\r\u001b[2K"), "End clears the status line");
    }

    [Test]
    public void A_status_line_is_cut_to_the_terminal_width_because_a_wrapped_line_cannot_be_redrawn()
    {
        var output = new StringWriter();
        var board = new ProgressBoard(output, interactive: true, width: 40);
        var a = board.Track("x86_64-6.1.0-56-cloud-amd64");
        var b = board.Track("aarch64-6.1.0-56-cloud-arm64");
        a.OnStart(3);
        b.OnStart(2);
        a.OnCase(ReportSamples.Pass("g/1"));
        var statuses = StatusLines(output.ToString());
        Assert.That(statuses, Is.Not.Empty);
        Assert.That(statuses, Has.All.Length.LessThan(40).And.All.EndsWith("..."));
    }

    [Test]
    public void The_summary_table_has_a_row_per_kernel_with_counts_time_and_a_verdict()
    {
        var table = SummaryTable.Render(
        [
            ("x86_64-6.1.0-56-cloud-amd64", new RunSummary(120, 0, 12, 0, TimeSpan.FromSeconds(95.24))),
            ("aarch64-6.1.0-56-cloud-arm64", new RunSummary(118, 1, 12, 1, TimeSpan.FromSeconds(301))),
            ("host", null),
        ]);
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(5));
        Assert.That(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "kernel", "pass", "fail", "xfail", "xpass", "skip", "error", "total", "time", "result" }));
        Assert.That(lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "x86_64-6.1.0-56-cloud-amd64", "120", "0", "0", "0", "12", "0", "132", "95.2", "s", "ok" }));
        Assert.That(lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "aarch64-6.1.0-56-cloud-arm64", "118", "1", "0", "0", "12", "1", "132", "301.0", "s", "FAILED" }));
        Assert.That(lines[4], Does.StartWith("host ").And.EndWith("did not finish"));
        // Columns line up: every count ends where its header does.
        int passEnd = lines[0].IndexOf("pass", StringComparison.Ordinal) + 4;
        Assert.That(lines[2][(passEnd - 3)..passEnd], Is.EqualTo("120"));
        Assert.That(lines[3][(passEnd - 3)..passEnd], Is.EqualTo("118"));
        Assert.That(lines, Has.None.EndsWith(" "));
    }
}
