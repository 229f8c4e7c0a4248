using System.IO.Compression;
using Conformance.Machines.Kernels;

namespace Conformance.Tests.Vm;

/// <summary>The store's bookkeeping on a private cache directory (no apt, no network).</summary>
[TestFixture]
public class KernelStoreTests
{
    string _cache = null!;

    [SetUp]
    public void MakeCache() => _cache = Directory.CreateTempSubdirectory("kernelstore-test-").FullName;

    [TearDown]
    public void RemoveCache() => Directory.Delete(_cache, recursive: true);

    string Put(string relative, byte[] data)
    {
        var path = Path.Combine(_cache, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data);
        return path;
    }

    [Test]
    public void List_reads_manifests_with_config_facts_and_skips_unfinished_directories()
    {
        var dir = Path.Combine(_cache, "kernels", "debian", "6.1.0-99-cloud-amd64");
        Put("kernels/debian/6.1.0-99-cloud-amd64/vmlinuz", KernelImageTests.BzImage());
        Put("kernels/debian/6.1.0-99-cloud-amd64/config", "CONFIG_SECCOMP=y\nCONFIG_SECCOMP_FILTER=y\n# CONFIG_AUDIT is not set\n"u8.ToArray());
        new KernelManifest
        {
            Release = "6.1.0-99-cloud-amd64", Arch = "x86_64", Origin = "Debian", Image = "vmlinuz", Config = "config",
            Series = "6.1", Package = "linux-image-6.1.0-99-cloud-amd64 6.1.999-1",
        }.Save(dir);
        Put("kernels/debian/6.1.0-98-cloud-amd64/vmlinuz", KernelImageTests.BzImage()); // no manifest: interrupted fetch

        var kernels = new KernelStore(_cache).List();

        Assert.That(kernels, Has.Count.EqualTo(1));
        var k = kernels[0];
        Assert.That(k.Name, Is.EqualTo("debian/x86_64/6.1.0-99-cloud-amd64"));
        Assert.That(k.ImagePath, Is.EqualTo(Path.Combine(dir, "vmlinuz")));
        Assert.That(k.Facts["SECCOMP_FILTER"], Is.EqualTo(ConfigState.Yes));
        Assert.That(k.Facts["AUDIT"], Is.EqualTo(ConfigState.No));
        Assert.That(k.Facts["BPF_JIT"], Is.EqualTo(ConfigState.Absent));
        Assert.That(new KernelStore(_cache).FindDebian(DebianKernelSeries.V6_1, KernelArch.X86_64)?.ImagePath, Is.EqualTo(k.ImagePath));
        Assert.That(new KernelStore(_cache).FindDebian(DebianKernelSeries.V6_12, KernelArch.X86_64), Is.Null);
    }

    [Test]
    public void The_newest_cached_build_is_by_Debian_version_and_a_named_one_is_found_by_ABI_release_or_package_version()
    {
        foreach (var (abi, version) in new[] { ("6.1.0-57", "6.1.192-3"), ("6.1.0-9", "6.1.38-1") })
        {
            var release = abi + "-cloud-amd64";
            Put($"kernels/debian/{release}/vmlinuz", KernelImageTests.BzImage());
            new KernelManifest
            {
                Release = release, Arch = "x86_64", Origin = "Debian", Image = "vmlinuz", Series = "6.1",
                Package = $"linux-image-{release} {version}",
            }.Save(Path.Combine(_cache, "kernels", "debian", release));
        }
        var store = new KernelStore(_cache);

        Assert.That(store.FindDebian(DebianKernelSeries.V6_1, KernelArch.X86_64)?.Release, Is.EqualTo("6.1.0-57-cloud-amd64"), "57 is newer than 9");
        foreach (var name in new[] { "6.1.0-9", "6.1.0-9-cloud-amd64", "6.1.38-1" })
            Assert.That(store.FindDebian(DebianKernelSeries.V6_1, KernelArch.X86_64, name)?.Release, Is.EqualTo("6.1.0-9-cloud-amd64"), name);
        Assert.That(store.FindDebian(DebianKernelSeries.V6_1, KernelArch.X86_64, "6.1.0-50"), Is.Null);
        Assert.That(store.FindDebian(DebianKernelSeries.V5_10, KernelArch.X86_64), Is.Null);
    }

    [Test]
    public void A_user_bzImage_is_used_in_place_with_arch_and_release_from_its_header()
    {
        var image = Put("mine/bzImage", KernelImageTests.BzImage());
        var config = Put("mine/config", "CONFIG_SECCOMP=y\n"u8.ToArray());

        var k = new KernelStore(_cache).OpenUserKernel(image, config);

        Assert.That(k.Origin, Is.EqualTo(KernelOrigin.User));
        Assert.That(k.Arch, Is.EqualTo(KernelArch.X86_64));
        Assert.That(k.Release, Is.EqualTo("6.1.99-test"));
        Assert.That(k.ImagePath, Is.EqualTo(image));
        Assert.That(k.Facts["SECCOMP"], Is.EqualTo(ConfigState.Yes));
    }

    [Test]
    public void A_user_Image_gz_is_decompressed_once_into_the_cache()
    {
        var raw = KernelImageTests.Arm64Image();
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
            z.Write(raw);
        var image = Put("mine/Image.gz", gz.ToArray());

        var first = new KernelStore(_cache).OpenUserKernel(image);
        var second = new KernelStore(_cache).OpenUserKernel(image);

        Assert.That(first.Arch, Is.EqualTo(KernelArch.Aarch64));
        Assert.That(first.ImagePath, Does.StartWith(Path.Combine(_cache, "kernels", "user")));
        Assert.That(File.ReadAllBytes(first.ImagePath), Is.EqualTo(raw));
        Assert.That(second.ImagePath, Is.EqualTo(first.ImagePath));
        Assert.That(first.Facts.HasConfig, Is.False);
    }

    [Test]
    public void A_user_kernel_that_is_not_an_image_is_refused_by_name()
    {
        var junk = Put("mine/notes.txt", "hello"u8.ToArray());
        var e = Assert.Throws<KernelImageException>(() => new KernelStore(_cache).OpenUserKernel(junk));
        Assert.That(e!.Message, Does.Contain(junk));
    }

    [Test]
    public void Selection_refuses_a_user_kernel_of_another_arch_than_asked()
    {
        var image = Put("mine/bzImage", KernelImageTests.BzImage());
        var e = Assert.ThrowsAsync<KernelImageException>(() =>
            KernelSelection.ResolveAsync(new KernelStore(_cache), image, null, KernelArch.Aarch64, DebianKernelSeries.V6_1, null, CancellationToken.None));
        Assert.That(e!.Message, Does.Contain(image).And.Contain("aarch64"));
    }

    [Test]
    public void Selection_refuses_a_build_for_a_user_kernel()
    {
        var image = Put("mine/bzImage", KernelImageTests.BzImage());
        var e = Assert.ThrowsAsync<ArgumentException>(() =>
            KernelSelection.ResolveAsync(new KernelStore(_cache), image, null, null, DebianKernelSeries.V6_1, "6.1.0-50", CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("--build"));
    }

    [Test]
    public void Selection_prefers_a_cached_Debian_kernel_over_apt()
    {
        var dir = Path.Combine(_cache, "kernels", "debian", "6.1.0-99-cloud-arm64");
        Put("kernels/debian/6.1.0-99-cloud-arm64/vmlinuz", KernelImageTests.Arm64Image());
        new KernelManifest { Release = "6.1.0-99-cloud-arm64", Arch = "aarch64", Origin = "Debian", Image = "vmlinuz", Series = "6.1" }.Save(dir);

        var k = KernelSelection.ResolveAsync(new KernelStore(_cache), null, null, KernelArch.Aarch64, DebianKernelSeries.V6_1, null, CancellationToken.None).Result;

        Assert.That(k.Release, Is.EqualTo("6.1.0-99-cloud-arm64"));
        Assert.That(k.Facts.HasConfig, Is.False);
    }

    [Test]
    public void Apt_cache_show_output_resolves_a_meta_package_to_its_image_package()
    {
        const string show = """
            Package: linux-image-cloud-arm64
            Source: linux-signed-arm64 (6.1.192+2)
            Version: 6.1.192-2
            Architecture: arm64
            Depends: linux-image-6.1.0-56-cloud-arm64 (= 6.1.192-2)
            Description: Linux for arm64 cloud (meta-package)
             This package depends on the latest Linux kernel and modules for use on
             cloud platforms.

            Package: linux-image-cloud-arm64
            Version: 6.1.176-1

            """;

        var p = DebianPackages.ParseShow(show, "arm64");

        Assert.That(p.Name, Is.EqualTo("linux-image-cloud-arm64"));
        Assert.That(p.Version, Is.EqualTo("6.1.192-2"));
        Assert.That(p.Depends, Is.EqualTo(new[] { "linux-image-6.1.0-56-cloud-arm64" }));
        Assert.That(p.Spec, Is.EqualTo("linux-image-cloud-arm64:arm64=6.1.192-2"));
        Assert.That(DebianKernelSeries.V6_12.MetaPackage(KernelArch.X86_64), Is.EqualTo("linux-image-6.12-cloud-amd64"));
    }
}
