using System.Text.RegularExpressions;
using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Reports;

namespace Conformance.Tests.Reports;

public class KtapReportTests
{
    string _dir = null!;
    string _path = null!;

    [SetUp]
    public void Folder()
    {
        _dir = ReportSamples.TempDir();
        _path = Path.Combine(_dir, "results.ktap");
    }

    [TearDown]
    public void Clean() => Directory.Delete(_dir, recursive: true);

    KtapDocument WriteAll(out IReadOnlyList<Conformance.Catalogue.Run.CaseReport> cases)
    {
        cases = ReportSamples.Mixed();
        var report = new KtapReport(_path);
        report.OnStart(cases.Count);
        report.OnMachine(ReportSamples.Machine());
        foreach (var c in cases)
            report.OnCase(c);
        report.OnFinished(ReportSamples.Summarize(cases));
        return KtapParser.Parse(File.ReadAllText(_path));
    }

    [Test]
    public void The_file_is_a_valid_ktap_prefix_after_every_case_with_the_plan_first()
    {
        var cases = ReportSamples.Mixed();
        var report = new KtapReport(_path);
        report.OnStart(cases.Count);
        Assert.That(KtapParser.Parse(File.ReadAllText(_path)).Plan, Is.EqualTo(cases.Count), "the plan is there before any case ran");
        report.OnMachine(ReportSamples.Machine());
        for (int i = 0; i < cases.Count; i++)
        {
            report.OnCase(cases[i]);
            var doc = KtapParser.Parse(File.ReadAllText(_path));
            Assert.That(doc.Plan, Is.EqualTo(cases.Count));
            Assert.That(doc.Results, Has.Count.EqualTo(i + 1), $"after case {i + 1}");
        }
    }

    [Test]
    public void Each_status_has_its_result_line_and_directive()
    {
        var doc = WriteAll(out var cases);
        Assert.That(doc.Results, Has.Count.EqualTo(cases.Count));
        for (int i = 0; i < cases.Count; i++)
        {
            var (r, c) = (doc.Results[i], cases[i]);
            switch (c.Verdict.Status)
            {
                case CaseStatus.Pass:
                    Assert.That((r.Ok, r.Directive), Is.EqualTo((true, (string?)null)), c.Id);
                    break;
                case CaseStatus.Skip:
                    Assert.That((r.Ok, r.Directive, r.DirectiveText), Is.EqualTo((true, (string?)"SKIP", (string?)c.Verdict.Reason)), c.Id);
                    break;
                case CaseStatus.Fail:
                    Assert.That((r.Ok, r.Directive), Is.EqualTo((false, (string?)null)), c.Id);
                    break;
                case CaseStatus.Error:
                    Assert.That((r.Ok, r.Directive, r.DirectiveText), Is.EqualTo((false, (string?)"ERROR", (string?)c.Verdict.Reason)), c.Id);
                    break;
            }
        }
    }

    [Test]
    public void A_failure_is_preceded_by_what_its_failing_step_expected_and_observed()
    {
        var doc = WriteAll(out _);
        var failed = doc.Results.Single(r => r.Name == "actions_errno_read-denied");
        Assert.That(failed.Diagnostics, Does.Contain("call read at cases/x.yaml:14:5 (model)"));
        Assert.That(failed.Diagnostics, Does.Contain("  expected: errno E2BIG (model: ERRNO(7))"));
        Assert.That(failed.Diagnostics, Does.Contain("  observed: ret -1 (EPERM)"));
        Assert.That(failed.Diagnostics, Has.None.Contain("install deny_read"), "steps that passed are left out");
        var passed = doc.Results.Single(r => r.Name == "a_b_c");
        Assert.That(passed.Diagnostics, Is.Empty);
    }

    [Test]
    public void Names_are_slug_safe_and_unique_even_when_ids_collide()
    {
        var doc = WriteAll(out var cases);
        Assert.That(doc.Results.Select(r => r.Name), Has.All.Match("^[A-Za-z0-9_-]+$"));
        Assert.That(doc.Results.Select(r => r.Name), Is.Unique);
        Assert.That(doc.Results.Select(r => r.Name), Is.EqualTo(new[]
        {
            "actions_errno_e2big", "flags_wait_killable_recv", "actions_errno_read-denied", "crash_lkdtm_panic",
            "a_b_c", "a_b_c_2", "a_b_c_3", "toplevel",
        }));
    }

    [Test]
    public void Only_result_lines_match_what_lkft_looks_for_even_with_a_console_that_prints_ok_lines()
    {
        WriteAll(out var cases);
        var lines = File.ReadAllLines(_path);
        var lkft = new Regex(@"^.*?ok \d{1,5} ");
        var matching = lines.Where(l => lkft.IsMatch(l)).ToList();
        Assert.That(matching, Has.Count.EqualTo(cases.Count), string.Join("\n", matching));
        Assert.That(matching, Has.All.Match(@"^(not )?ok \d+ "));
        Assert.That(lines, Has.None.Contain("\u001b").And.None.Contain("\u0007"), "control characters from the console are gone");
        var error = KtapParser.Parse(File.ReadAllText(_path)).Results.Single(r => r.Directive == "ERROR");
        Assert.That(error.Diagnostics, Has.Some.Contain("Kernel panic - not syncing"), "the console tail is kept for errors");
    }

    [Test]
    public void The_run_ends_with_kselftest_totals()
    {
        var doc = WriteAll(out var cases);
        var s = ReportSamples.Summarize(cases);
        Assert.That(doc.TrailingDiagnostics, Does.Contain($"Totals: pass:{s.Pass} fail:{s.Fail} xfail:0 xpass:0 skip:{s.Skip} error:{s.Error}"));
        Assert.That(s.Pass, Is.EqualTo(4));
    }

    [Test]
    public void Without_OnStart_there_is_no_plan_but_the_file_is_still_ktap()
    {
        var report = new KtapReport(_path);
        report.OnCase(ReportSamples.Pass("x/y"));
        var doc = KtapParser.Parse(File.ReadAllText(_path));
        Assert.That(doc.Plan, Is.Null);
        Assert.That(doc.Results.Single().Name, Is.EqualTo("x_y"));
    }

    [Test]
    public void The_parser_used_here_rejects_what_is_not_ktap()
    {
        Assert.Throws<FormatException>(() => KtapParser.Parse("TAP version 13\nok 1 a\n"));
        Assert.Throws<FormatException>(() => KtapParser.Parse("KTAP version 1\n1..2\nok 2 a\n"));
        Assert.Throws<FormatException>(() => KtapParser.Parse("KTAP version 1\n1..1\nok 1 a\nok 2 b\n"));
        Assert.Throws<FormatException>(() => KtapParser.Parse("KTAP version 1\nok 1 a\nnoise\n"));
        Assert.Throws<FormatException>(() => KtapParser.Parse("KTAP version 1\nok 1 a"));
    }

    [Test]
    public void Slugs_replace_everything_outside_the_lkft_alphabet()
    {
        Assert.That(KtapNames.Slug("actions/errno/e2big"), Is.EqualTo("actions_errno_e2big"));
        Assert.That(KtapNames.Slug("x.y/z-w"), Is.EqualTo("x_y_z-w"));
        Assert.That(KtapNames.Slug("é ü#"), Is.EqualTo("____"));
    }
}
