using Conformance.Machines.Kernels;

namespace Conformance.Tests.Vm;

[TestFixture]
public class FragmentTests
{
    [Test]
    public void Options_Kconfig_dropped_or_changed_are_each_reported_with_the_fragment_that_asked()
    {
        var base_ = KernelConfig.Parse("CONFIG_NET=y\nCONFIG_AUDIT=y\nCONFIG_SECCOMP=y\n", "base.config");
        var user = KernelConfig.Parse("# CONFIG_NET is not set\nCONFIG_HZ=250\n# CONFIG_KALLSYMS is not set\n", "user.config");
        // What Kconfig made of it: AUDIT depends on NET, so it vanished; HZ came out different.
        var result = KernelConfig.Parse("# CONFIG_NET is not set\nCONFIG_SECCOMP=y\nCONFIG_HZ=100\n", ".config");

        var dropped = FragmentVerifier.FindDropped([base_, user], result);

        Assert.That(dropped.Select(d => d.Symbol), Is.EqualTo(new[] { "AUDIT", "HZ" }));
        Assert.That(dropped[0].RequestedBy, Is.EqualTo("base.config"));
        Assert.That(dropped[0].Actual, Is.Null);
        Assert.That(dropped[0].ToString(), Does.Contain("CONFIG_AUDIT").And.Contain("base.config"));
        Assert.That(dropped[1], Is.EqualTo(new DroppedOption("HZ", "250", "100", "user.config")));
    }

    [Test]
    public void Asking_for_n_is_met_by_an_option_Kconfig_leaves_out()
    {
        var fragment = KernelConfig.Parse("# CONFIG_SECCOMP_FILTER is not set\n", "f");
        Assert.That(FragmentVerifier.FindDropped([fragment], KernelConfig.Parse("CONFIG_SECCOMP=y\n", ".config")), Is.Empty);
    }

    [Test]
    public void Built_in_fragments_ship_in_the_assembly_and_parse()
    {
        Assert.That(KernelFragments.BuiltInNames, Is.SupersetOf(new[] { "seccomp", "no-seccomp-filter", "jit" }));
        Assert.That(KernelFragments.BuiltInNames, Does.Not.Contain("base"));
        Assert.That(KernelFragments.Base["SECCOMP"], Is.EqualTo("y"));
        Assert.That(KernelFragments.Base["NET"], Is.EqualTo("y"), "SECCOMP_FILTER depends on NET");
        Assert.That(KernelFragments.ForArch(KernelArch.X86_64)["IA32_EMULATION"], Is.EqualTo("y"));
        Assert.That(KernelFragments.ForArch(KernelArch.Aarch64)["COMPAT"], Is.EqualTo("y"));
        Assert.That(KernelFragments.ForArch(KernelArch.Aarch64)["SERIAL_AMBA_PL011_CONSOLE"], Is.EqualTo("y"));
    }

    [Test]
    public void No_seccomp_filter_turns_NET_off_over_base_and_everything_that_depends_on_it()
    {
        var merged = KernelFragments.Base.Merge(KernelFragments.Resolve("no-seccomp-filter"));

        Assert.That(merged["NET"], Is.EqualTo("n"));
        Assert.That(merged["AUDIT"], Is.EqualTo("n"), "AUDIT depends on NET");
        Assert.That(merged["SECCOMP"], Is.EqualTo("y"));
    }

    [Test]
    public void Fragments_resolve_from_files_first_then_built_in_names()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "CONFIG_HZ_100=y\n");
            Assert.That(KernelFragments.Resolve(file)["HZ_100"], Is.EqualTo("y"));
            Assert.That(KernelFragments.Resolve("seccomp.config")["SECCOMP_FILTER"], Is.EqualTo("y"));
            Assert.That(KernelFragments.Resolve("src/Machines/Kernels/fragments/seccomp.config")["SECCOMP_CACHE_DEBUG"], Is.EqualTo("y"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void An_unknown_fragment_is_an_error_listing_the_built_in_ones()
    {
        var e = Assert.Throws<KernelConfigException>(() => KernelFragments.Resolve("/no/such/fragment.config"));
        Assert.That(e!.Message, Does.Contain("/no/such/fragment.config").And.Contain("no-seccomp-filter"));
    }
}
