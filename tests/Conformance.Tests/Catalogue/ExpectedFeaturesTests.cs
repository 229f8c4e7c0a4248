using Conformance.Catalogue.Features;
using Conformance.Executor.Features;

namespace Conformance.Tests.Catalogue;

public class ExpectedFeaturesTests
{
    static readonly Dictionary<string, string> Files = new()
    {
        ["precise.features"] = "# what the 3.2 backport must have\nfilter\naction:KILL_PROCESS, action:TRAP  # kill and trap\n\nflag:TSYNC\n",
        ["typo.features"] = "filter\n\naction:KILL_PROCES\n",
    };

    static IReadOnlySet<string> Parse(string? list) => ExpectedFeatures.Parse(list, path =>
        Files.TryGetValue(path, out var text) ? text : throw new FileNotFoundException($"no such file {path}"));

    [Test]
    public void Names_and_profile_files_combine()
    {
        Assert.That(Parse("seccomp_syscall, @precise.features"),
            Is.EquivalentTo(new[] { "seccomp_syscall", "filter", "action:KILL_PROCESS", "action:TRAP", "flag:TSYNC" }));
        Assert.That(Parse(null), Is.Empty);
    }

    [Test]
    public void An_unknown_name_is_an_error_naming_where_it_was_written()
    {
        var inFile = Assert.Throws<FormatException>(() => Parse("@typo.features"))!;
        Assert.That(inFile.Message, Does.StartWith("typo.features:3: unknown feature 'action:KILL_PROCES'"));
        var inList = Assert.Throws<FormatException>(() => Parse("filter,fliter"))!;
        Assert.That(inList.Message, Does.StartWith("--expect-features: unknown feature 'fliter'"));
    }

    [Test]
    public void A_missing_profile_file_is_an_error_naming_it()
    {
        var e = Assert.Throws<FormatException>(() => Parse("@gone.features"))!;
        Assert.That(e.Message, Does.StartWith("gone.features: cannot read the feature profile"));
    }
}
