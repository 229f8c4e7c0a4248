using Conformance.Catalogue.Cases;

namespace Conformance.Tests.Catalogue;

/// <summary>A case file nested absurdly deep is a format error naming where, not a crashed harness.</summary>
public class CaseNestingTests
{
    [Test]
    public void Flow_sequences_thousands_deep_are_refused_with_their_line()
    {
        var yaml = "id: deep\ndescription: d\nsteps:\n  - call: getpid\n    args: " + new string('[', 20_000) + "\n";
        var e = Assert.Throws<CaseFormatException>(() => CaseLoader.Parse(yaml, "deep.yaml"))!;
        Assert.That(e.Message, Does.Contain("deep.yaml:5").And.Contain($"more than {CaseLoader.MaxNesting} levels"));
    }

    [Test]
    public void Nesting_real_cases_use_still_loads()
    {
        var forks = string.Concat(Enumerable.Range(0, 12).Select(i => new string(' ', 2 + 4 * i) + "- fork:\n"))
                    + new string(' ', 2 + 4 * 12) + "- exit: 0\n";
        var cases = CaseLoader.Parse("id: nested\ndescription: d\nsteps:\n" + forks, "nested.yaml");
        Assert.That(cases.Single().Id, Is.EqualTo("nested"));
    }
}
