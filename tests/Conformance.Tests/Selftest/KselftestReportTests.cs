using Conformance.Benchmarks.Selftest;

namespace Conformance.Tests.Selftest;

/// <summary>The KTAP reader against real seccomp_bpf output (Data/README.md says how each was recorded).</summary>
public class KselftestReportTests
{
    static string Recorded(string name) => File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Selftest", "Data", name));

    [TestCase("x86_64-6.1-seccomp_bpf.txt")]
    [TestCase("aarch64-6.1-seccomp_bpf.txt")]
    public void A_clean_run_in_a_guest_has_every_planned_instance_passing_under_its_own_name(string file)
    {
        var report = KselftestReport.Parse(Recorded(file));

        Assert.That(report.Plan, Is.EqualTo(95));
        Assert.That(report.Results, Has.Count.EqualTo(95));
        Assert.That(report.Complete, Is.True);
        Assert.That((report.Pass, report.Fail, report.Skip, report.Ran), Is.EqualTo((95, 0, 0, 95)));
        Assert.That(report.Results.Select(r => r.Number), Is.EqualTo(Enumerable.Range(1, 95)));
        Assert.That(report.Results.Select(r => r.Name).Distinct().Count(), Is.EqualTo(95));
        Assert.That(report.Results[0].Name, Is.EqualTo("global.kcmp"));
        // TRACE_syscall's two variants run its tests twice, told apart by the variant's name.
        Assert.That(report.Results.Count(r => r.Name.StartsWith("TRACE_syscall.ptrace.", StringComparison.Ordinal)), Is.EqualTo(8));
        Assert.That(report.Results.Count(r => r.Name.StartsWith("TRACE_syscall.seccomp.", StringComparison.Ordinal)), Is.EqualTo(8));
        Assert.That(report.Totals, Is.EqualTo(new KselftestTotals(95, 0, 0, 0, 0, 0)));
    }

    [Test]
    public void Failures_and_skips_are_counted_as_the_selftest_counts_them_and_skips_get_the_announced_name()
    {
        // As uid 65534 with RLIMIT_NPROC 3: two tests skip for want of root, forks fail in forty.
        var report = KselftestReport.Parse(Recorded("host-6.18-nobody-nproc3.txt"));

        Assert.That((report.Pass, report.Fail, report.Skip, report.XFail, report.Error), Is.EqualTo((53, 40, 2, 0, 0)));
        Assert.That(report.Totals, Is.EqualTo(new KselftestTotals(53, 40, 0, 0, 2, 0)));
        Assert.That(report.Complete, Is.True);
        Assert.That(report.Ran, Is.EqualTo(93));

        var skipped = report.Results.Where(r => r.Status == KselftestStatus.Skip).ToList();
        Assert.That(skipped.Select(r => (r.Number, r.Name, r.Reason)), Is.EqualTo(new[]
        {
            (36, "global.get_metadata", "get_metadata requires real root"),
            (43, "global.user_notification_sibling_pid_ns", "CLONE_NEWPID requires CAP_SYS_ADMIN"),
        }));
        var failed = report.Results.Single(r => r.Number == 20);
        Assert.That((failed.Name, failed.Status, failed.Reason), Is.EqualTo(("global.KILL_thread", KselftestStatus.Fail, (string?)null)));
    }

    [Test]
    public void Output_cut_off_by_the_time_limit_is_incomplete()
    {
        var report = KselftestReport.Parse(Recorded("x86_64-6.1-time-limit.txt"));

        Assert.That(report.Plan, Is.EqualTo(95));
        Assert.That(report.Results, Has.Count.EqualTo(53));
        Assert.That(report.Totals, Is.Null);
        Assert.That(report.Complete, Is.False);
    }

    [Test]
    public void Totals_that_disagree_with_the_result_lines_make_the_report_incomplete()
    {
        var report = KselftestReport.Parse("1..2\nok 1 a.b\nnot ok 2 a.c\n# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0\n");

        Assert.That((report.Pass, report.Fail), Is.EqualTo((1, 1)));
        Assert.That(report.Complete, Is.False);
    }

    [Test]
    public void Xfail_and_error_directives_and_kernel_lines_in_between()
    {
        var report = KselftestReport.Parse(
            "TAP version 13\r\n1..3\r\n#  RUN           f.x ...\r\n[   12.5] audit: type=1326 ok 9 noise\r\n"
            + "ok 1 # XFAIL known\r\nnot ok 2 # error spawning\r\nok 3 f.z # SKIP no reason\r\n");

        Assert.That(report.Results.Select(r => (r.Name, r.Status, r.Reason)), Is.EqualTo(new[]
        {
            ("f.x", KselftestStatus.XFail, (string?)"known"),
            ("test 2", KselftestStatus.Error, "spawning"),
            ("f.z", KselftestStatus.Skip, "no reason"),
        }));
        Assert.That(report.Ran, Is.EqualTo(2));
    }
}
