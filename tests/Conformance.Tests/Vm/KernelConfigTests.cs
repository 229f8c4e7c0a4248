using Conformance.Machines.Kernels;

namespace Conformance.Tests.Vm;

[TestFixture]
public class KernelConfigTests
{
    const string Sample = """
        #
        # Automatically generated file; DO NOT EDIT.
        #
        CONFIG_SECCOMP=y
        CONFIG_BPF_JIT=m
        # CONFIG_SECCOMP_CACHE_DEBUG is not set
        CONFIG_LOCALVERSION="-x"
        CONFIG_NR_CPUS=64

        """;

    [Test]
    public void Values_not_set_lines_and_comments_are_read_as_Kconfig_writes_them()
    {
        var c = KernelConfig.Parse(Sample, "sample");

        Assert.That(c["SECCOMP"], Is.EqualTo("y"));
        Assert.That(c["CONFIG_BPF_JIT"], Is.EqualTo("m"), "the prefix is optional when asking");
        Assert.That(c["SECCOMP_CACHE_DEBUG"], Is.EqualTo("n"));
        Assert.That(c["LOCALVERSION"], Is.EqualTo("\"-x\""));
        Assert.That(c["NR_CPUS"], Is.EqualTo("64"));
        Assert.That(c["AUDIT"], Is.Null);
        Assert.That(c.Symbols, Is.EqualTo(new[] { "SECCOMP", "BPF_JIT", "SECCOMP_CACHE_DEBUG", "LOCALVERSION", "NR_CPUS" }));
    }

    [Test]
    public void Later_assignments_win_within_a_file_and_across_a_merge()
    {
        var first = KernelConfig.Parse("CONFIG_NET=y\nCONFIG_AUDIT=y\nCONFIG_NET=m\n", "a");
        var second = KernelConfig.Parse("# CONFIG_NET is not set\nCONFIG_SECCOMP=y\n", "b");

        var merged = first.Merge(second);

        Assert.That(first["NET"], Is.EqualTo("m"));
        Assert.That(merged["NET"], Is.EqualTo("n"));
        Assert.That(merged["AUDIT"], Is.EqualTo("y"));
        Assert.That(merged.ToConfigText(), Is.EqualTo("# CONFIG_NET is not set\nCONFIG_AUDIT=y\nCONFIG_SECCOMP=y\n"));
    }

    [TestCase("SECCOMP=y", 2, TestName = "A line without CONFIG_ names its file and line")]
    [TestCase("CONFIG_SECCOMP", 2, TestName = "An assignment without = names its file and line")]
    [TestCase("CONFIG_SECCOMP=", 2, TestName = "An empty value names its file and line")]
    [TestCase("CONFIG_SEC-COMP=y", 2, TestName = "A symbol with a dash names its file and line")]
    public void Malformed_lines_are_errors_naming_file_and_line(string line, int lineNo)
    {
        var e = Assert.Throws<KernelConfigException>(() => KernelConfig.Parse("CONFIG_NET=y\n" + line + "\n", "frag.config"));
        Assert.That(e!.Message, Does.StartWith($"frag.config:{lineNo}:"));
    }

    [Test]
    public void Facts_report_y_m_n_and_absent()
    {
        var facts = KernelConfigFacts.From(KernelConfig.Parse(Sample, "sample"));

        Assert.That(facts["SECCOMP"], Is.EqualTo(ConfigState.Yes));
        Assert.That(facts["BPF_JIT"], Is.EqualTo(ConfigState.Module));
        Assert.That(facts["SECCOMP_CACHE_DEBUG"], Is.EqualTo(ConfigState.No));
        Assert.That(facts["SECCOMP_FILTER"], Is.EqualTo(ConfigState.Absent));
        Assert.That(KernelConfigFacts.Reported, Does.Contain("IA32_EMULATION").And.Contain("COMPAT").And.Contain("BPF_JIT_ALWAYS_ON"));
    }
}
