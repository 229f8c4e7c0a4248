using Conformance.Catalogue.Cases;

namespace Conformance.Tests.Catalogue;

public class CaseNeedsTests
{
    [Test]
    public void A_case_that_installs_a_filter_anywhere_needs_filter_mode_even_if_it_does_not_say_so()
    {
        var c = CaseLoader.Parse("""
            id: t/needs
            description: installs in a child
            filters:
              allow: ret #ALLOW
            steps:
              - fork:
                  - nnp
                  - install: allow
                save: child
              - wait: $child
            """, "t.yaml").Single();
        Assert.That(c.Needs, Is.Empty);
        Assert.That(c.EffectiveNeeds, Is.EqualTo(new[] { "filter" }));
    }

    [Test]
    public void A_case_without_installs_needs_only_what_it_says()
    {
        var c = CaseLoader.Parse("""
            id: t/probe
            description: the probe itself
            needs: [seccomp_syscall]
            steps:
              - call: prctl
                args: [22, 2, null]
            """, "t.yaml").Single();
        Assert.That(c.EffectiveNeeds, Is.EqualTo(new[] { "seccomp_syscall" }));
    }
}
