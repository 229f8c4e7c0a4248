using Conformance.Machines.Kernels;

namespace Conformance.Tests.Vm;

/// <summary>Series names, build names and the choice of a build among what apt lists (no apt, no network).</summary>
[TestFixture]
public class DebianKernelBuildTests
{
    static DebianPackage Image(string build, string version, string arch = "amd64") =>
        new($"linux-image-{build}-cloud-{arch}", arch, version, []);

    static DebianPackage Meta(string version, string dependsOn) => new("linux-image-cloud-amd64", "amd64", version, [dependsOn]);

    [Test]
    public void Series_parse_knows_bullseyes_5_10_and_names_the_choices_otherwise()
    {
        Assert.That(DebianKernelSeries.Parse("5.10"), Is.SameAs(DebianKernelSeries.V5_10));
        Assert.That(DebianKernelSeries.V5_10.Release, Is.SameAs(DebianRelease.Bullseye));
        Assert.That(DebianKernelSeries.Parse(" 6.12 ").Release, Is.SameAs(DebianRelease.Bookworm));
        var e = Assert.Throws<ArgumentException>(() => DebianKernelSeries.Parse("4.19"));
        Assert.That(e!.Message, Does.Contain("4.19").And.Contain("6.1, 6.12, 5.10"));
    }

    [Test]
    public void A_build_is_read_from_an_image_package_or_a_release_of_its_own_series_only()
    {
        Assert.That(DebianKernelSeries.V6_1.BuildOf("linux-image-6.1.0-50-cloud-amd64", KernelArch.X86_64), Is.EqualTo("6.1.0-50"));
        Assert.That(DebianKernelSeries.V6_12.BuildOf("6.12.38+deb12-cloud-arm64", KernelArch.Aarch64), Is.EqualTo("6.12.38+deb12"));
        Assert.That(DebianKernelSeries.V5_10.BuildOf("5.10.0-32-cloud-arm64", KernelArch.Aarch64), Is.EqualTo("5.10.0-32"));
        // bullseye-security also carries a 6.1 backport: not part of the 5.10 series.
        Assert.That(DebianKernelSeries.V5_10.BuildOf("linux-image-6.1.0-0.deb11.52-cloud-amd64", KernelArch.X86_64), Is.Null);
        Assert.That(DebianKernelSeries.V6_1.BuildOf("linux-image-6.1.0-50-cloud-arm64", KernelArch.X86_64), Is.Null, "another arch");
        Assert.That(DebianKernelSeries.V6_1.BuildOf("linux-image-6.1.0-50-cloud-amd64-unsigned", KernelArch.X86_64), Is.Null);
        Assert.That(DebianKernelSeries.V5_10.ImagePackage("5.10.0-32", KernelArch.Aarch64), Is.EqualTo("linux-image-5.10.0-32-cloud-arm64"));
    }

    [TestCase("6.1.0-9", "6.1.0-57", -1)]
    [TestCase("6.12.100+deb12", "6.12.99+deb12", 1)]
    [TestCase("6.12.118-1~deb12u1", "6.12.117-1~deb12u1", 1)]
    [TestCase("1.0~rc1", "1.0", -1)]
    [TestCase("5.10.251-5", "5.10.251-10", -1)]
    [TestCase("1:1.0", "2.0", 1)]
    [TestCase("6.1.192-3", "6.1.192-3", 0)]
    public void Versions_order_as_dpkg_orders_them(string a, string b, int expected)
    {
        Assert.That(Math.Sign(DebianVersion.Comparer.Compare(a, b)), Is.EqualTo(expected));
        Assert.That(Math.Sign(DebianVersion.Comparer.Compare(b, a)), Is.EqualTo(-expected));
    }

    [Test]
    public void Builds_are_newest_first_with_the_meta_packages_targets_marked_current()
    {
        var images = new[]
        {
            Image("6.1.0-9", "6.1.38-1"), Image("6.1.0-57", "6.1.192-3"), Image("6.1.0-50", "6.1.176-1"),
            Image("6.1.0-50", "6.1.176-0"), Image("6.1.0-0.deb11.52", "6.1.180-1~deb11u1"),
        };
        var metas = new[] { Meta("6.1.192-3", "linux-image-6.1.0-57-cloud-amd64"), Meta("6.1.176-1", "linux-image-6.1.0-50-cloud-amd64") };

        var builds = DebianKernelBuilds.From(DebianKernelSeries.V6_1, KernelArch.X86_64, images, metas);

        Assert.That(builds.Select(b => b.ToString()), Is.EqualTo(new[] { "6.1.0-57 (6.1.192-3)", "6.1.0-50 (6.1.176-1)", "6.1.0-9 (6.1.38-1)" }));
        Assert.That(builds.Select(b => b.Current), Is.EqualTo(new[] { true, true, false }));
        Assert.That(builds[1].Release, Is.EqualTo("6.1.0-50-cloud-amd64"));
    }

    [Test]
    public void Without_a_build_the_current_ones_come_first_and_a_named_build_is_the_only_candidate()
    {
        var builds = DebianKernelBuilds.From(DebianKernelSeries.V5_10, KernelArch.X86_64,
            [Image("5.10.0-46", "5.10.262-1"), Image("5.10.0-45", "5.10.259-1"), Image("5.10.0-32", "5.10.223-1")],
            [Meta("5.10.262-1", "linux-image-5.10.0-46-cloud-amd64"), Meta("5.10.223-1", "linux-image-5.10.0-32-cloud-amd64")]);

        var byDefault = DebianKernelBuilds.Candidates(DebianKernelSeries.V5_10, KernelArch.X86_64, builds, null);
        Assert.That(byDefault.Select(b => b.Build), Is.EqualTo(new[] { "5.10.0-46", "5.10.0-32", "5.10.0-45" }));

        foreach (var name in new[] { "5.10.0-45", "5.10.0-45-cloud-amd64", "5.10.259-1" })
            Assert.That(DebianKernelBuilds.Candidates(DebianKernelSeries.V5_10, KernelArch.X86_64, builds, name).Single().Build,
                Is.EqualTo("5.10.0-45"), name);
    }

    [Test]
    public void A_build_that_is_not_there_is_refused_naming_the_builds_that_are()
    {
        var builds = DebianKernelBuilds.From(DebianKernelSeries.V6_1, KernelArch.Aarch64,
            [Image("6.1.0-57", "6.1.192-3", "arm64"), Image("6.1.0-50", "6.1.176-1", "arm64")], []);

        var e = Assert.Throws<KernelBuildNotAvailableException>(() =>
            DebianKernelBuilds.Candidates(DebianKernelSeries.V6_1, KernelArch.Aarch64, builds, "6.1.0-40"));

        Assert.That(e!.Available.Select(b => b.Build), Is.EqualTo(new[] { "6.1.0-57", "6.1.0-50" }));
        Assert.That(e.Message, Does.Contain("6.1.0-40").And.Contain("aarch64").And.Contain("bookworm-security")
            .And.Contain("6.1.0-57 (6.1.192-3)").And.Contain("6.1.0-50 (6.1.176-1)"));
        Assert.Throws<KernelBuildNotAvailableException>(() =>
            DebianKernelBuilds.Candidates(DebianKernelSeries.V6_1, KernelArch.Aarch64, [], null));
    }

    [Test]
    public void The_private_sources_list_names_the_release_suites_with_Debians_keyring()
    {
        Assert.That(DebianRelease.Bullseye.SourcesList(), Is.EqualTo(
            "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bullseye main\n"
            + "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bullseye-security main\n"));
    }
}
