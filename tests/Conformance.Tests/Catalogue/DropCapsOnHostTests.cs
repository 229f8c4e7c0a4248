using Conformance.Catalogue.Judge;

namespace Conformance.Tests.Catalogue;

/// <summary>drop_caps on the host, whose agent may start without some capabilities (a container's bounding set).</summary>
[Category("Host")]
public class DropCapsOnHostTests
{
    [Test]
    public void Dropping_sys_admin_keeps_the_rest_and_install_then_needs_no_new_privs()
    {
        var v = HostRun.One("""
            id: t/drop
            description: drop CAP_SYS_ADMIN only
            needs: [filter, root]
            filters:
              allow: "ret #ALLOW"
            steps:
              - drop_caps: [SYS_ADMIN]
              - read: /proc/self/status
                expect: {matches: '^CapEff:\t[0-9a-f]*[0-9a-f]{5}[0-9a-f]$'}
              - install: allow
                expect: model
              - nnp
              - install: allow
                expect: model
            """);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
        Assert.That(v.Checks.Where(c => c.Step.StartsWith("install", StringComparison.Ordinal)).Select(c => c.Observed),
            Is.EqualTo(new[] { "ret -13 (EACCES)", "ret 0" }));
    }

    [Test]
    public void Dropping_capabilities_the_agent_never_had_is_not_an_error()
    {
        // CAP_SYS_RESOURCE is the one a container commonly lacks; naming it must still work.
        var v = HostRun.One("""
            id: t/drop-missing
            description: drop capabilities that may be absent already
            needs: [root]
            steps:
              - drop_caps: [SYS_RESOURCE, SYS_ADMIN]
            """);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
    }
}
