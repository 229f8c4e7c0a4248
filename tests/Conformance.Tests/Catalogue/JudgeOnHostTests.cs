using Conformance.Catalogue.Judge;

namespace Conformance.Tests.Catalogue;

/// <summary>The judge on real observations from the host kernel: model predictions that must pass, and wrong expectations that must fail.</summary>
[Category("Host")]
public class JudgeOnHostTests
{
    const string ErrnoCase = """
        id: t/errno
        description: ERRNO(E2BIG) on read
        needs: [filter]
        filters:
          deny_read: |
            ld [nr]
            jeq #read, deny
            ret #ALLOW
            deny: ret #ERRNO(E2BIG)
        steps:
          - nnp
          - install: deny_read
            expect: model
          - call: read
            args: [-1, 0, 0]
            allowed: {errno: EBADF}
            expect: model
          - call: getppid
            allowed: {ret: ppid}
            expect: model
        """;

    [Test]
    public void Model_predictions_for_errno_pass_on_the_host_kernel()
    {
        var v = HostRun.One(ErrnoCase);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
        Assert.That(v.Checks.Count(c => c.FromModel), Is.GreaterThanOrEqualTo(3));
        TestContext.Out.WriteLine(HostRun.Explain(v));
    }

    [Test]
    public void A_wrong_stated_expectation_fails_and_says_what_was_seen()
    {
        var v = HostRun.One(ErrnoCase.Replace("    allowed: {errno: EBADF}\n    expect: model", "    expect: {errno: EPERM}"));
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(v));
        Assert.That(v.Reason, Does.Contain("errno EPERM").And.Contain("E2BIG"));
    }

    [Test]
    public void Kill_process_is_predicted_and_observed_through_the_childs_wait_status()
    {
        var v = HostRun.One("""
            id: t/kill
            description: KILL_PROCESS in a child
            needs: [filter]
            filters:
              kill_getpid: |
                ld [nr]
                jeq #getpid, kill
                ret #ALLOW
                kill: ret #KILL_PROCESS
            steps:
              - fork:
                  - nnp
                  - install: kill_getpid
                  - call: getpid
                    expect: model
                  - mark: 1
                    expect: {reached: false}
                save: child
              - wait: $child
                expect: model
            """);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
    }

    [Test]
    public void Trap_under_a_handler_is_predicted_with_its_siginfo_and_rollback()
    {
        var v = HostRun.One("""
            id: t/trap
            description: TRAP(0x42) delivered to a handler
            needs: [filter]
            filters:
              trap_getppid: |
                ld [nr]
                jeq #getppid, trap
                ret #ALLOW
                trap: ret #TRAP(0x42)
            steps:
              - signal: {SIGSYS: handler}
              - nnp
              - install: trap_getppid
              - call: getppid
                expect: model
            """);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
    }

    [Test]
    public void A_root_killed_by_a_filter_fails_a_case_that_predicts_otherwise()
    {
        var v = HostRun.One("""
            id: t/unexpected-kill
            description: the root dies where the case says ERRNO
            needs: [filter]
            filters:
              kill_getpid: |
                ld [nr]
                jeq #getpid, kill
                ret #ALLOW
                kill: ret #KILL_PROCESS
            steps:
              - nnp
              - install: kill_getpid
              - call: getpid
                expect: {errno: EPERM}
            """);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(v));
        Assert.That(v.Reason, Does.Contain("died here"));
    }
}
