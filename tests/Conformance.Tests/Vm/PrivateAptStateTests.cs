using System.Security.Cryptography;
using Conformance.Machines.Kernels;

namespace Conformance.Tests.Vm;

/// <summary>
/// Fetching kernels through a release's private apt state, for real (apt-get, apt-cache, dpkg-deb)
/// against a local file: archive: builds are listed and picked by name, and apt writes nothing
/// outside the kernel cache.
/// </summary>
[TestFixture, NonParallelizable]
public class PrivateAptStateTests
{
    string _work = null!;
    string _cache = null!;
    DebianKernelSeries _series = null!;

    [OneTimeSetUp]
    public async Task MakeArchive()
    {
        _work = Directory.CreateTempSubdirectory("private-apt-test-").FullName;
        var archive = new LocalDebianArchive(Path.Combine(_work, "archive"), "testsuite");
        foreach (var (abi, version) in new[] { ("6.1.0-98", "6.1.900-1"), ("6.1.0-99", "6.1.999-1") })
        {
            var release = $"{abi}-cloud-amd64";
            await archive.AddPackageAsync("linux-image-" + release, version, "amd64", null, new Dictionary<string, byte[]>
            {
                ["boot/vmlinuz-" + release] = KernelImageTests.BzImage($"{release} (tests@local) #1 SMP"),
                ["boot/config-" + release] = "CONFIG_SECCOMP=y\nCONFIG_SECCOMP_FILTER=y\n"u8.ToArray(),
            });
        }
        await archive.AddPackageAsync("linux-image-cloud-amd64", "6.1.999-1", "amd64", "linux-image-6.1.0-99-cloud-amd64 (= 6.1.999-1)",
            new Dictionary<string, byte[]>());
        await archive.PublishAsync();
        _series = DebianKernelSeries.V6_1 with { Release = archive.Release };
    }

    [OneTimeTearDown]
    public void RemoveArchive() => Directory.Delete(_work, recursive: true);

    [SetUp]
    public void MakeCache() => _cache = Directory.CreateTempSubdirectory("private-apt-cache-").FullName;

    [TearDown]
    public void RemoveCache() => Directory.Delete(_cache, recursive: true);

    /// <summary>What the machine's own apt configuration and state look like: each file's path, size, mtime and hash.</summary>
    static List<string> MachineAptState()
    {
        var entries = new List<string>();
        foreach (var dir in new[] { "/etc/apt", "/var/lib/apt/lists", "/var/cache/apt" })
        {
            if (!Directory.Exists(dir))
                continue;
            var option = dir == "/etc/apt" ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly;
            foreach (var file in Directory.GetFiles(dir, "*", option).Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(file);
                if (info.LinkTarget is not null)
                    continue;
                var hash = info.Length < 64 << 20 ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))) : "";
                entries.Add($"{file} {info.Length} {info.LastWriteTimeUtc:O} {hash}");
            }
        }
        return entries;
    }

    [Test]
    public async Task Builds_are_listed_fetched_by_name_and_by_default_with_nothing_written_outside_the_cache()
    {
        var before = MachineAptState();
        var store = new KernelStore(_cache);

        var available = await store.ListAvailableAsync(_series, KernelArch.X86_64);
        var named = await store.FetchDebianAsync(_series, KernelArch.X86_64, "6.1.0-98", CancellationToken.None);
        var newest = await store.FetchDebianAsync(_series, KernelArch.X86_64);

        Assert.That(available.Select(b => (b.Build, b.Image.Version, b.Current)),
            Is.EqualTo(new[] { ("6.1.0-99", "6.1.999-1", true), ("6.1.0-98", "6.1.900-1", false) }));
        Assert.That(named.Release, Is.EqualTo("6.1.0-98-cloud-amd64"));
        Assert.That(named.Package, Is.EqualTo("linux-image-6.1.0-98-cloud-amd64 6.1.900-1"));
        Assert.That(named.Facts["SECCOMP_FILTER"], Is.EqualTo(ConfigState.Yes));
        Assert.That(newest.Release, Is.EqualTo("6.1.0-99-cloud-amd64"), "the meta package's build");
        Assert.That(named.ImagePath, Does.StartWith(_cache));
        Assert.That(File.Exists(named.ImagePath) && File.Exists(newest.ImagePath), Is.True);
        Assert.That(store.FindDebian(_series, KernelArch.X86_64)?.Release, Is.EqualTo("6.1.0-99-cloud-amd64"));
        Assert.That(store.FindDebian(_series, KernelArch.X86_64, "6.1.900-1")?.Release, Is.EqualTo("6.1.0-98-cloud-amd64"));

        var lists = Path.Combine(store.AptState(_series.Release).Root, "state", "lists");
        Assert.That(Directory.GetFiles(lists, "*Packages*"), Is.Not.Empty, "the lists are in the private state");
        Assert.That(MachineAptState(), Is.EqualTo(before), "the machine's /etc/apt, /var/lib/apt/lists and /var/cache/apt are untouched");
    }

    [Test]
    public void A_build_the_archive_does_not_have_is_refused_naming_those_it_has()
    {
        var e = Assert.ThrowsAsync<KernelBuildNotAvailableException>(() =>
            new KernelStore(_cache).FetchDebianAsync(_series, KernelArch.X86_64, "6.1.0-40", CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("6.1.0-40").And.Contain("6.1.0-99 (6.1.999-1)").And.Contain("6.1.0-98 (6.1.900-1)"));
        Assert.That(Directory.Exists(Path.Combine(_cache, "kernels", "debian")), Is.False, "nothing was fetched");
    }

    [Test]
    public void An_arch_the_archive_has_no_kernel_for_is_refused_naming_where_it_looked()
    {
        var e = Assert.ThrowsAsync<KernelBuildNotAvailableException>(() => new KernelStore(_cache).FetchDebianAsync(_series, KernelArch.Aarch64));

        Assert.That(e!.Message, Does.Contain("aarch64").And.Contain("testsuite"));
        Assert.That(e.Available, Is.Empty);
    }
}
