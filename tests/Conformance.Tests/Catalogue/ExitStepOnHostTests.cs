using Conformance.Catalogue.Judge;

namespace Conformance.Tests.Catalogue;

/// <summary>An `exit` step is exit_group (or exit): the model judges it like any call, so strict mode or a filter can kill there.</summary>
[Category("Host")]
public class ExitStepOnHostTests
{
    static CaseVerdict Run(string steps, string filters = "") => HostRun.One($$"""
        id: t/exit
        description: an exit step
        needs: [filter]
        {{filters}}
        steps:
        {{steps}}
        """);

    static string RootExpectation(CaseVerdict v) => v.Checks.Single(c => c.Step == "case root").Expected;

    [Test]
    public void Exit_group_in_strict_mode_is_predicted_to_kill_with_sigkill()
    {
        var v = Run("""
              - strict
              - exit: 3
            """);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
        Assert.That(RootExpectation(v), Does.Contain("killed by SIGKILL").And.Contain("exit_group exit step"));
    }

    [Test]
    public void Exit_in_strict_mode_is_allowed_and_keeps_its_code()
    {
        var v = Run("""
              - strict
              - exit_thread: 3
            """);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
        Assert.That(RootExpectation(v), Does.Contain("exited 3"));
    }

    [Test]
    public void A_filter_that_kills_exit_group_is_the_processes_fate_at_an_exit_step()
    {
        var v = Run("""
              - fork:
                  - nnp
                  - install: kill_exit_group
                  - exit: 5
                save: child
              - wait: $child
                expect: model
            """, """
            filters:
              kill_exit_group: |
                ld [nr]
                jeq #exit_group, kill
                ret #ALLOW
                kill: ret #KILL_PROCESS
            """);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
        Assert.That(v.Checks.Single(c => c.Step.StartsWith("wait", StringComparison.Ordinal)).Expected, Does.Contain("killed by SIGSYS"));
    }
}
