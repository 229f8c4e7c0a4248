using System.Text.Json.Nodes;
using System.Xml.Linq;
using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Reports;
using Conformance.Catalogue.Run;

namespace Conformance.Tests.Reports;

/// <summary>A known-failures list applied on the way to every report, each report read back.</summary>
public class KnownFailureSinkTests
{
    const string List = """
        # known failures for the sample kernel
        actions/errno/read-denied: E2BIG is checked after EPERM on this kernel
        crash/lkdtm.panic arch=x86_64 release=6.1.0-*: lkdtm panics on purpose
        actions/errno/e2big: fixed by a backport
        flags/wait_killable_recv: needs a newer kernel
        toplevel arch=aarch64: only on arm
        """;

    string _dir = null!;

    [SetUp]
    public void Folder() => _dir = ReportSamples.TempDir();

    [TearDown]
    public void Clean() => Directory.Delete(_dir, recursive: true);

    sealed record Written(RunSummary Summary, KtapDocument Ktap, XElement Suite, JsonNode Json, ResultsFile Results, string Progress);

    Written Run(IReadOnlyList<CaseReport> cases, string arch = "x86_64")
    {
        var known = KnownFailures.Parse(List, "sample.known", ReportSamples.Mixed().Select(c => c.Id).ToHashSet());
        var output = new StringWriter();
        var board = new ProgressBoard(output, interactive: false);
        var sink = new KnownFailureSink(new SinkSet(
            new ResultsJson(Path.Combine(_dir, "results.json")),
            new KtapReport(Path.Combine(_dir, "results.ktap")),
            new JunitReport(Path.Combine(_dir, "junit.xml"), "sample"),
            board.Track("sample")), known);
        sink.OnStart(cases.Count);
        sink.OnMachine(ReportSamples.Machine(arch));
        foreach (var c in cases)
            sink.OnCase(c);
        // The runner's summary knows nothing of the list: the sink must recount.
        sink.OnFinished(ReportSamples.Summarize(cases));
        return new Written(sink.Summary!,
            KtapParser.Parse(File.ReadAllText(Path.Combine(_dir, "results.ktap"))),
            XDocument.Load(Path.Combine(_dir, "junit.xml")).Root!.Element("testsuite")!,
            JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "results.json")))!,
            ResultsFile.Read(Path.Combine(_dir, "results.json")),
            output.ToString());
    }

    [Test]
    public void Listed_failures_and_errors_are_xfail_a_listed_pass_is_xpass_and_the_rest_is_untouched()
    {
        var w = Run(ReportSamples.Mixed());
        var status = w.Results.Cases.ToDictionary(c => c.Id, c => (c.Status, c.Judged));
        Assert.That(status["actions/errno/read-denied"], Is.EqualTo(("xfail", "fail")));
        Assert.That(status["crash/lkdtm.panic"], Is.EqualTo(("xfail", "error")));
        Assert.That(status["actions/errno/e2big"], Is.EqualTo(("xpass", "pass")));
        Assert.That(status["flags/wait_killable_recv"], Is.EqualTo(("skip", "skip")), "a skip says nothing about the kernel");
        Assert.That(status["toplevel"], Is.EqualTo(("fail", "fail")), "listed for another arch only");
        Assert.That(status["a/b_c"], Is.EqualTo(("pass", "pass")));

        Assert.That((w.Summary.Pass, w.Summary.Fail, w.Summary.Xfail, w.Summary.Xpass, w.Summary.Skip, w.Summary.Error, w.Summary.Total),
            Is.EqualTo((3, 1, 2, 1, 1, 0, 8)));
        Assert.That(w.Summary.Failed, Is.True);
    }

    [Test]
    public void Only_xfail_does_not_fail_the_run_but_an_xpass_does()
    {
        var onlyExpected = Run([ReportSamples.Fail("actions/errno/read-denied"), ReportSamples.Pass("a/b")]);
        Assert.That((onlyExpected.Summary.Xfail, onlyExpected.Summary.Failed), Is.EqualTo((1, false)));
        Assert.That(SummaryTable.Render([("k", onlyExpected.Summary)]).Split('\n')[2], Does.EndWith(" ok"));

        var stale = Run([ReportSamples.Pass("actions/errno/e2big")]);
        Assert.That((stale.Summary.Xpass, stale.Summary.Failed), Is.EqualTo((1, true)));
        Assert.That(SummaryTable.Render([("k", stale.Summary)]).Split('\n')[2], Does.EndWith(" FAILED"));
    }

    [Test]
    public void Ktap_has_xfail_as_not_ok_with_a_todo_directive_and_xpass_as_a_plain_not_ok()
    {
        var w = Run(ReportSamples.Mixed());
        var byName = w.Ktap.Results.ToDictionary(r => r.Name);

        var xfail = byName["actions_errno_read-denied"];
        Assert.That((xfail.Ok, xfail.Directive, xfail.DirectiveText), Is.EqualTo((false, "TODO", "E2BIG is checked after EPERM on this kernel")));
        Assert.That(xfail.Diagnostics, Does.Contain("  observed: ret -1 (EPERM)"), "what failed is still shown");
        Assert.That(xfail.Diagnostics, Does.Contain("known failure (sample.known:2): E2BIG is checked after EPERM on this kernel"));

        var xfailError = byName["crash_lkdtm_panic"];
        Assert.That((xfailError.Ok, xfailError.Directive, xfailError.DirectiveText), Is.EqualTo((false, "TODO", "lkdtm panics on purpose")));
        Assert.That(xfailError.Diagnostics, Has.Some.StartsWith("error: Panic"));

        var xpass = byName["actions_errno_e2big"];
        Assert.That((xpass.Ok, xpass.Directive), Is.EqualTo((false, (string?)null)), "TAP readers take 'ok # TODO' as no failure");
        Assert.That(xpass.Diagnostics, Has.Some.Contains("sample.known:4 lists it as a known failure: fixed by a backport"));

        Assert.That(w.Ktap.TrailingDiagnostics, Does.Contain("Totals: pass:3 fail:1 xfail:2 xpass:1 skip:1 error:0"));
    }

    [Test]
    public void Junit_has_xfail_as_skipped_with_the_reason_and_xpass_as_a_failure()
    {
        var w = Run(ReportSamples.Mixed());
        var cases = w.Suite.Elements("testcase").ToDictionary(t => t.Attribute("classname")!.Value + "/" + t.Attribute("name")!.Value);

        var xfail = cases["actions/errno/read-denied"];
        Assert.That(xfail.Element("failure"), Is.Null);
        var skipped = xfail.Element("skipped")!;
        Assert.That(skipped.Attribute("message")!.Value, Is.EqualTo("known failure (sample.known:2): E2BIG is checked after EPERM on this kernel"));
        Assert.That(skipped.Value, Does.Contain("E2BIG is checked after EPERM").And.Contain("observed: ret -1 (EPERM)"));

        var xpass = cases["actions/errno/e2big"].Element("failure")!;
        Assert.That(xpass.Attribute("type")!.Value, Is.EqualTo("xpass"));
        Assert.That(xpass.Value, Does.Contain("sample.known:4"));

        Assert.That((w.Suite.Attribute("tests")!.Value, w.Suite.Attribute("failures")!.Value, w.Suite.Attribute("skipped")!.Value, w.Suite.Attribute("errors")!.Value),
            Is.EqualTo(("8", "2", "3", "0")), "failures: one fail and one xpass; skipped: one skip and two xfail");
    }

    [Test]
    public void Results_json_keeps_the_judges_reason_and_adds_the_known_entry_and_counts()
    {
        var w = Run(ReportSamples.Mixed());
        var entry = w.Json["cases"]!.AsArray().Single(c => (string)c!["id"]! == "actions/errno/read-denied")!;
        Assert.That((string)entry["status"]!, Is.EqualTo("xfail"));
        Assert.That((string)entry["reason"]!, Does.Contain("expected errno E2BIG"));
        Assert.That(((string)entry["known"]!["reason"]!, (string)entry["known"]!["where"]!, (string)entry["known"]!["judged"]!),
            Is.EqualTo(("E2BIG is checked after EPERM on this kernel", "sample.known:2", "fail")));
        Assert.That(w.Json["cases"]!.AsArray().Single(c => (string)c!["id"]! == "a/b_c")!["known"], Is.Null);

        var summary = w.Json["summary"]!;
        Assert.That(((int)summary["pass"]!, (int)summary["fail"]!, (int)summary["xfail"]!, (int)summary["xpass"]!, (int)summary["total"]!),
            Is.EqualTo((3, 1, 2, 1, 8)));
        Assert.That(w.Results.Cases.Single(c => c.Id == "actions/errno/e2big").Known, Is.EqualTo("fixed by a backport"));
    }

    [Test]
    public void Progress_announces_an_xpass_counts_xfail_and_the_done_line_says_both()
    {
        var w = Run(ReportSamples.Mixed());
        Assert.That(w.Progress, Does.Contain("[sample] XPASS actions/errno/e2big: passed, but sample.known:4 lists it as a known failure (fixed by a backport)"));
        Assert.That(w.Progress, Does.Not.Contain("FAIL actions/errno/read-denied"), "an expected failure is not announced as one");
        Assert.That(w.Progress, Does.Contain("7/8 cases done (0 failed, 0 errors, 2 xfail, 1 xpass so far)"));
        Assert.That(w.Progress, Does.Contain("[sample] done: 3 passed, 1 failed, 1 skipped, 0 errors, 2 xfail, 1 xpass (8 cases"));
    }

    [Test]
    public void Cases_reported_before_the_machine_keep_their_status()
    {
        var known = KnownFailures.Parse("actions/errno/read-denied: listed\n", "k", new HashSet<string>(["actions/errno/read-denied"]));
        var seen = new Catalogue.HostRun.CollectingSink();
        var sink = new KnownFailureSink(seen, known);
        sink.OnStart(1);
        sink.OnCase(ReportSamples.Fail("actions/errno/read-denied"));
        sink.OnFinished(ReportSamples.Summarize([]));
        Assert.That(seen.Cases.Single().Verdict.Status, Is.EqualTo(CaseStatus.Fail), "a kernel that never booted is not a listed case failure");
        Assert.That(seen.Summary!.Fail, Is.EqualTo(1));
    }

    [Test]
    public void Diff_compares_what_the_kernels_did_and_shows_the_listed_statuses()
    {
        var plain = Path.Combine(_dir, "a");
        Directory.CreateDirectory(plain);
        IRunSink a = new ResultsJson(Path.Combine(plain, "results.json"));
        a.OnMachine(ReportSamples.Machine());
        a.OnCase(ReportSamples.Fail("actions/errno/read-denied"));
        a.OnCase(ReportSamples.Fail("actions/errno/e2big"));
        a.OnFinished(ReportSamples.Summarize([]));
        Run([ReportSamples.Fail("actions/errno/read-denied"), ReportSamples.Pass("actions/errno/e2big")]);

        var diff = ResultsDiff.Compare(ResultsFile.Read(Path.Combine(plain, "results.json")), ResultsFile.Read(Path.Combine(_dir, "results.json")));
        Assert.That(diff.Same, Is.EqualTo(1), "fail and xfail: the kernels did the same");
        Assert.That(diff.Changed.Select(c => (c.Id, c.A.Status, c.B.Status)), Is.EqualTo(new[] { ("actions/errno/e2big", "fail", "xpass") }));
        var text = DiffText.Render(new ResultsDiffReport([diff], [], []));
        Assert.That(text, Does.Contain("B known failure: fixed by a backport"));
        Assert.That(text, Does.Contain("  xfail        0       1\n").And.Contain("  xpass        0       1\n"));
    }
}
