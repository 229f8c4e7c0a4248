using Conformance.Catalogue.Reports;
using Conformance.Catalogue.Run;
using Conformance.Tests.Harness;

namespace Conformance.Tests.Reports;

/// <summary>`diff` on result folders written by the real results.json writer.</summary>
public class DiffTests
{
    string _root = null!;

    [SetUp]
    public void Folder() => _root = ReportSamples.TempDir();

    [TearDown]
    public void Clean() => Directory.Delete(_root, recursive: true);

    /// <summary>Writes results.json for these cases into root/name (finished unless said otherwise).</summary>
    string Results(string name, IReadOnlyList<CaseReport> cases, string arch = "x86_64", string release = "6.1.0-56-cloud-amd64", bool finished = true)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        IRunSink sink = new ResultsJson(Path.Combine(dir, "results.json"));
        sink.OnStart(cases.Count);
        sink.OnMachine(ReportSamples.Machine(arch, release));
        foreach (var c in cases)
            sink.OnCase(c);
        if (finished)
            sink.OnFinished(ReportSamples.Summarize(cases));
        return dir;
    }

    static readonly IReadOnlyList<CaseReport> Upstream =
    [
        ReportSamples.Pass("actions/errno/e2big"),
        ReportSamples.Pass("flags/tsync"),
        ReportSamples.Skip("flags/wait_killable_recv"),
        ReportSamples.Pass("only/upstream"),
    ];

    static readonly IReadOnlyList<CaseReport> Backport =
    [
        ReportSamples.Pass("actions/errno/e2big"),
        ReportSamples.Fail("flags/tsync"),
        ReportSamples.Pass("flags/wait_killable_recv"),
        ReportSamples.Pass("only/backport"),
    ];

    [Test]
    public void Cases_whose_status_differs_then_cases_only_in_one_run_then_counts()
    {
        var a = ResultsFile.Locate(Results("upstream", Upstream)).Single();
        var b = ResultsFile.Locate(Results("backport", Backport, release: "6.1.0-99-backport")).Single();

        var c = ResultsDiff.Compare(a, b);

        Assert.That(c.Changed.Select(x => (x.Id, x.A.Status, x.B.Status)), Is.EqualTo(new[]
        {
            ("flags/tsync", "pass", "fail"), ("flags/wait_killable_recv", "skip", "pass"),
        }));
        Assert.That(c.Changed[0].B.Reason, Does.Contain("E2BIG"));
        Assert.That(c.OnlyA.Select(x => x.Id), Is.EqualTo(new[] { "only/upstream" }));
        Assert.That(c.OnlyB.Select(x => x.Id), Is.EqualTo(new[] { "only/backport" }));
        Assert.That(c.Same, Is.EqualTo(1));
        Assert.That((a.Count("pass"), b.Count("pass"), b.Count("fail")), Is.EqualTo((3, 3, 1)));
        Assert.That((a.Release, b.Release, a.Arch, a.Complete), Is.EqualTo(("6.1.0-56-cloud-amd64", "6.1.0-99-backport", "x86_64", true)));

        var text = DiffText.Render(ResultsDiff.Compare([a], [b]));
        int changed = text.IndexOf("status differs (2):", StringComparison.Ordinal);
        int onlyA = text.IndexOf("only in A (1):", StringComparison.Ordinal);
        int onlyB = text.IndexOf("only in B (1):", StringComparison.Ordinal);
        int counts = text.IndexOf("counts", StringComparison.Ordinal);
        Assert.That(new[] { changed, onlyA, onlyB, counts }, Is.Ordered.And.All.GreaterThanOrEqualTo(0), text);
        Assert.That(text, Does.Match(@"\n  flags/tsync +pass +-> fail\n"), text);
    }

    [Test]
    public void The_verb_exits_0_when_no_status_differs_even_if_a_case_is_only_in_one_run()
    {
        var a = Results("a", Upstream);
        var b = Results("b", [.. Upstream.Take(3)]);
        var (exit, stdout, stderr) = HarnessProcess.Run("", "diff", a, b);
        Assert.That(exit, Is.EqualTo(0), stdout + stderr);
        Assert.That(stdout, Does.Contain("status differs (0):").And.Contain("only in A (1):"));
    }

    [Test]
    public void The_verb_exits_1_when_a_status_differs_and_accepts_results_json_files_directly()
    {
        var a = Path.Combine(Results("a", Upstream), "results.json");
        var b = Path.Combine(Results("b", Backport, finished: false), "results.json");
        var (exit, stdout, stderr) = HarnessProcess.Run("", "diff", a, b);
        Assert.That(exit, Is.EqualTo(1), stdout + stderr);
        Assert.That(stdout, Does.Contain("status differs (2):"));
        Assert.That(stdout, Does.Contain("[incomplete run]"), "a run that never finished is flagged");
    }

    [Test]
    public void Folders_of_kernel_folders_are_compared_pairwise_by_arch()
    {
        Results("up/x86_64-6.1.0-56-cloud-amd64", Upstream);
        Results("up/aarch64-6.1.0-56-cloud-arm64", Upstream, arch: "aarch64", release: "6.1.0-56-cloud-arm64");
        // Folder names sort the other way round on this side: pairing must follow the files' arch, not the order.
        Results("bp/a-x86", Upstream, release: "6.1.0-99-backport");
        Results("bp/b-arm", Backport, arch: "aarch64", release: "6.1.0-99-backport-arm64");

        var report = ResultsDiff.Compare(ResultsFile.Locate(Path.Combine(_root, "up")), ResultsFile.Locate(Path.Combine(_root, "bp")));
        Assert.That(report.Pairs.Select(p => (p.A.Arch, p.B.Arch, p.Changed.Count)), Is.EquivalentTo(new[] { ("x86_64", "x86_64", 0), ("aarch64", "aarch64", 2) }));

        var (exit, stdout, stderr) = HarnessProcess.Run("", "diff", Path.Combine(_root, "up"), Path.Combine(_root, "bp"));
        Assert.That(exit, Is.EqualTo(1), stdout + stderr);
        Assert.That(stdout, Does.Contain("6.1.0-99-backport-arm64"));
    }

    [Test]
    public void An_arch_that_only_one_side_has_is_reported_and_no_common_arch_is_an_error()
    {
        Results("up/x", Upstream);
        Results("up/a", Upstream, arch: "aarch64", release: "6.1.0-56-cloud-arm64");
        Results("bp/x", Upstream);
        var report = ResultsDiff.Compare(ResultsFile.Locate(Path.Combine(_root, "up")), ResultsFile.Locate(Path.Combine(_root, "bp")));
        Assert.That(report.UnpairedA.Single().Arch, Is.EqualTo("aarch64"));
        Assert.That(DiffText.Render(report), Does.Contain("only in A: ").And.Contain("(B has no aarch64 run)"));

        Results("arm-only/a", Upstream, arch: "aarch64", release: "6.1.0-56-cloud-arm64");
        Results("arm-only/b", Upstream, arch: "aarch64", release: "6.12.0-1-cloud-arm64");
        var (exit, _, stderr) = HarnessProcess.Run("", "diff", Path.Combine(_root, "bp"), Path.Combine(_root, "arm-only"));
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("two runs for arch 'aarch64'"));
    }

    [Test]
    public void Unreadable_input_exits_2_and_names_the_file()
    {
        var good = Results("good", Upstream);
        var missing = Path.Combine(_root, "nowhere");
        var (exit, _, stderr) = HarnessProcess.Run("", "diff", good, missing);
        Assert.That((exit, stderr), Is.EqualTo((2, $"error: {missing}: no such file or folder\n")));

        var broken = Path.Combine(_root, "broken.json");
        File.WriteAllText(broken, "{\"cases\": [ {\"id\": \"a/b\", ");
        (exit, _, stderr) = HarnessProcess.Run("", "diff", broken, good);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.StartWith($"error: {broken}: not valid JSON"));

        var wrong = Path.Combine(_root, "wrong.json");
        File.WriteAllText(wrong, "{\"cases\": [ {\"id\": \"a/b\", \"status\": \"maybe\"} ]}");
        (exit, _, stderr) = HarnessProcess.Run("", "diff", good, wrong);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(wrong).And.Contain("status 'maybe'"));

        var empty = Path.Combine(_root, "empty");
        Directory.CreateDirectory(empty);
        (exit, _, stderr) = HarnessProcess.Run("", "diff", empty, good);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(empty).And.Contain("no results.json"));
    }
}
