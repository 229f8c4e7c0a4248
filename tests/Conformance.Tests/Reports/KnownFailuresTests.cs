using Conformance.Catalogue.Reports;

namespace Conformance.Tests.Reports;

/// <summary>The known-failures file: what a line says, which kernels it applies to, and errors that name FILE:line.</summary>
public class KnownFailuresTests
{
    static readonly IReadOnlySet<string> Catalogue = new HashSet<string>(["actions/errno/e2big", "flags/tsync", "crash/lkdtm.panic"]);

    static KnownFailures Parse(string text) => KnownFailures.Parse(text, "k.known", Catalogue);

    static string ErrorOf(string text) => Assert.Throws<KnownFailuresFormatException>(() => Parse(text))!.Message;

    [Test]
    public void A_line_names_a_case_optional_arch_and_release_glob_and_a_reason_and_comments_are_skipped()
    {
        var known = Parse("""
            # Debian 6.1 kernels
            actions/errno/e2big: ERRNO capped differently, see bug #1234: a colon in a reason is kept

              flags/tsync arch=aarch64 release=6.1.0-*-cloud-arm64 : not backported
            """);
        Assert.That(known.Entries, Has.Count.EqualTo(2));
        var first = known.Entries[0];
        Assert.That((first.CaseId, first.Arch, first.Release, first.Reason, first.Where),
            Is.EqualTo(("actions/errno/e2big", (string?)null, (string?)null, "ERRNO capped differently, see bug #1234: a colon in a reason is kept", "k.known:2")));
        var second = known.Entries[1];
        Assert.That((second.CaseId, second.Arch, second.Release, second.Reason, second.Line),
            Is.EqualTo(("flags/tsync", "aarch64", "6.1.0-*-cloud-arm64", "not backported", 4)));
    }

    [Test]
    public void A_line_applies_only_to_its_arch_and_to_releases_its_glob_matches_whole()
    {
        var known = Parse("flags/tsync arch=aarch64 release=6.1.0-?-cloud-*: not backported\n");
        Assert.That(known.Find("flags/tsync", "aarch64", "6.1.0-9-cloud-arm64"), Is.Not.Null);
        Assert.That(known.Find("flags/tsync", "x86_64", "6.1.0-9-cloud-amd64"), Is.Null, "another arch");
        Assert.That(known.Find("flags/tsync", "aarch64", "6.1.0-56-cloud-arm64"), Is.Null, "'?' is exactly one character");
        Assert.That(known.Find("flags/tsync", "aarch64", "x6.1.0-9-cloud-arm64"), Is.Null, "the glob matches the whole release");
        Assert.That(known.Find("actions/errno/e2big", "aarch64", "6.1.0-9-cloud-arm64"), Is.Null, "another case");
    }

    [Test]
    public void The_first_line_that_applies_wins()
    {
        var known = Parse("flags/tsync arch=x86_64: on x86\nflags/tsync: everywhere else\n");
        Assert.That(known.Find("flags/tsync", "x86_64", "6.12.1")!.Reason, Is.EqualTo("on x86"));
        Assert.That(known.Find("flags/tsync", "aarch64", "6.12.1")!.Reason, Is.EqualTo("everywhere else"));
    }

    [TestCase("flags/tsync\n", "k.known:1: expected 'CASE-ID [arch=ARCH] [release=GLOB]: REASON'")]
    [TestCase("# header\nflags/tsync:   \n", "k.known:2: a known failure needs a reason")]
    [TestCase("\n\nflags/tsnyc: typo\n", "k.known:3: no case 'flags/tsnyc' in the catalogue")]
    [TestCase("flags/tsync arch=arm64: x\n", "k.known:1: unknown arch 'arm64'")]
    [TestCase("flags/tsync kernel=6.1: x\n", "k.known:1: unexpected 'kernel=6.1'")]
    [TestCase("flags/tsync arch=x86_64 arch=aarch64: x\n", "k.known:1: unexpected 'arch=aarch64'")]
    [TestCase("flags/tsync release=: x\n", "k.known:1: release= needs a pattern")]
    [TestCase(": x\n", "k.known:1: no case id")]
    [TestCase("flags/tsync arch=x86_64: a\nflags/tsync: b\nflags/tsync arch=x86_64: c\n", "k.known:3: 'flags/tsync' is already listed for the same kernels at line 1")]
    public void A_bad_line_is_an_error_naming_the_file_and_line(string text, string message) =>
        Assert.That(ErrorOf(text), Does.StartWith(message));

    [Test]
    public void A_missing_file_is_an_error_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), "conformance-no-such-" + Guid.NewGuid().ToString("N") + ".known");
        var e = Assert.Throws<KnownFailuresFormatException>(() => KnownFailures.Load(path, Catalogue))!;
        Assert.That(e.FilePath, Is.EqualTo(path));
        Assert.That(e.Message, Does.StartWith(path + ":0: cannot be read"));
    }

    [Test]
    public void Run_refuses_a_list_with_an_unknown_case_naming_its_line_before_running_anything()
    {
        var file = Path.Combine(Path.GetTempPath(), "conformance-" + Guid.NewGuid().ToString("N") + ".known");
        File.WriteAllText(file, "# header\nno/such/case: renamed long ago\n");
        try
        {
            var (exit, _, stderr) = Conformance.Tests.Harness.HarnessProcess.Run("", "run", "--host", "--cases", CatalogueOnHostTests.CasesFolder(), "--known", file);
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain($"error: {file}:2: no case 'no/such/case' in the catalogue"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void The_repository_host_list_parses_against_the_repository_catalogue()
    {
        var cases = Conformance.Catalogue.Cases.CaseLoader.LoadAll(CatalogueOnHostTests.CasesFolder(), out _);
        var known = KnownFailures.Load(CatalogueOnHostTests.HostKnownFile(), cases.Select(c => c.Id).ToHashSet(StringComparer.Ordinal));
        Assert.That(known.Entries.Select(e => e.Reason), Has.All.Not.Empty);
    }
}
