using Conformance.Catalogue.Judge;

namespace Conformance.Tests.Catalogue;

/// <summary>The model's predictions for a task in strict mode, held against the host kernel.</summary>
[Category("Host")]
public class StrictModeOnHostTests
{
    static string Case(string allowed) => $$"""
        id: t/strict
        description: write runs in strict mode
        steps:
          - strict
          - call: write
            args: [-1, buf, 1]
            allowed: {{allowed}}
            expect: model
          - call: getpid
            expect: model
        """;

    [Test]
    public void A_call_strict_mode_lets_run_is_judged_by_what_it_does_when_allowed()
    {
        var v = HostRun.One(Case("{errno: EBADF}"));
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
        Assert.That(v.Checks.Single(c => c.Step == "call write").Expected, Does.Contain("errno EBADF").And.Contain("allowed by strict mode (write)"));
        Assert.That(v.Checks.Single(c => c.Step == "call getpid").Expected, Does.Contain("killed by SIGKILL"));
    }

    [Test]
    public void A_wrong_allowed_result_fails_in_strict_mode_too()
    {
        var v = HostRun.One(Case("{errno: EPERM}"));
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(v));
        Assert.That(v.Reason, Does.Contain("call write").And.Contain("EBADF"));
    }
}
