using System.Security.Cryptography;
using Conformance.Machines.Tools;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Machines.Kernels;

/// <summary>
/// The kernels the harness can boot: Debian cloud kernels fetched into the cache, kernels built by
/// `kernels build`, and user images given by path. Cache layout under &lt;cache&gt;/kernels:
/// debian/&lt;release&gt;/, built/&lt;arch&gt;-&lt;series&gt;-&lt;hash&gt;/, user/&lt;sha&gt;/ (decompressed user images),
/// sources/ (unpacked linux-source), work/ (build trees while building), apt/&lt;codename&gt;/ (the private
/// apt state each Debian release's kernels and sources are fetched with).
/// </summary>
public sealed class KernelStore
{
    readonly ILogger _logger;

    public KernelStore(string? cacheRoot = null, ILogger? logger = null)
    {
        CacheRoot = cacheRoot ?? CacheDirectory.Default;
        _logger = logger ?? NullLogger.Instance;
    }

    public string CacheRoot { get; }
    public string KernelsRoot => Path.Combine(CacheRoot, "kernels");
    string DebianRoot => Path.Combine(KernelsRoot, "debian");

    /// <summary>The private apt state of a Debian release (lists, cache, status), under the kernel cache.</summary>
    public PrivateAptState AptState(DebianRelease release) =>
        PrivateAptState.For(KernelsRoot, release, _logger);

    /// <summary>Every fetched and built kernel in the cache, by origin, arch and release.</summary>
    public IReadOnlyList<KernelDescriptor> List()
    {
        var kernels = new List<KernelDescriptor>();
        foreach (var root in new[] { DebianRoot, new KernelBuilder(KernelsRoot, _logger).BuiltRoot })
        {
            if (!Directory.Exists(root))
                continue;
            foreach (var dir in Directory.GetDirectories(root))
            {
                if (!File.Exists(Path.Combine(dir, KernelManifest.FileName)))
                    continue; // an interrupted fetch or build
                try
                {
                    kernels.Add(KernelManifest.Load(dir).ToDescriptor(dir));
                }
                catch (Exception e) when (e is KernelConfigException or ArgumentException)
                {
                    _logger.LogWarning("Skipping {Directory}: {Message}", dir, e.Message);
                }
            }
        }
        return kernels.OrderBy(k => k.Origin).ThenBy(k => k.Arch).ThenBy(k => k.Release, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The builds of a series the Debian archive serves for an arch, newest first (refreshing the
    /// release's private package lists when they are a day old).
    /// </summary>
    public async Task<IReadOnlyList<DebianKernelBuild>> ListAvailableAsync(DebianKernelSeries series, KernelArch arch, CancellationToken cancellationToken = default)
    {
        var apt = AptState(series.Release);
        await apt.EnsureUpdatedAsync(cancellationToken);
        var names = await apt.SearchNamesAsync(series.ImagePackagePattern(arch), cancellationToken);
        var images = await apt.ShowAllAsync(names, arch.DebianName(), cancellationToken);
        var metas = await apt.ShowAllAsync([series.MetaPackage(arch)], arch.DebianName(), cancellationToken);
        return DebianKernelBuilds.From(series, arch, images, metas);
    }

    /// <summary>The build the series' meta package points at (see the overload with a build).</summary>
    public Task<KernelDescriptor> FetchDebianAsync(DebianKernelSeries series, KernelArch arch, CancellationToken cancellationToken = default) =>
        FetchDebianAsync(series, arch, null, cancellationToken);

    /// <summary>
    /// Downloads a Debian cloud kernel of a series for an arch: the named build (ABI such as
    /// "6.1.0-50", release or package version), or without one the newest build a meta package
    /// points at that the archive serves (see <see cref="DebianKernelBuilds.Candidates"/>). A named
    /// build already in the cache is returned without asking apt.
    /// </summary>
    public async Task<KernelDescriptor> FetchDebianAsync(DebianKernelSeries series, KernelArch arch, string? build, CancellationToken cancellationToken)
    {
        if (build is not null && FindDebian(series, arch, build) is { } cached)
            return cached;
        var available = await ListAvailableAsync(series, arch, cancellationToken);
        var fetcher = new DebianKernelFetcher(DebianRoot, _logger);
        var failures = new List<string>();
        foreach (var candidate in DebianKernelBuilds.Candidates(series, arch, available, build))
        {
            try
            {
                return await fetcher.FetchAsync(candidate, AptState(series.Release), cancellationToken);
            }
            catch (ExternalCommandException e)
            {
                _logger.LogWarning("{Series} build {Build} for {Arch} is listed but could not be fetched: {Error}",
                    series.Name, candidate, arch.Name(), e.Message);
                failures.Add($"{candidate}: {e.Message}");
            }
        }
        throw new KernelBuildNotAvailableException(
            $"no {series.Name} cloud kernel for {arch.Name()} could be fetched from {DebianKernelBuilds.Where(series)}; "
            + $"the lists name {string.Join(", ", available)}, and the archive answered:\n  " + string.Join("\n  ", failures), available);
    }

    /// <summary>Builds (or finds in the cache) a small kernel from Debian's linux-source.</summary>
    public Task<KernelDescriptor> BuildAsync(KernelBuildRequest request, CancellationToken cancellationToken = default) =>
        new KernelBuilder(KernelsRoot, _logger).BuildAsync(request, cancellationToken);

    /// <summary>
    /// A kernel image the user points at. Its arch comes from its header; a gzip-compressed arm64
    /// Image is decompressed once into the cache so boots do not pay for it. The config, when
    /// given, supplies the facts (otherwise they are unknown).
    /// </summary>
    public KernelDescriptor OpenUserKernel(string imagePath, string? configPath = null)
    {
        if (!File.Exists(imagePath))
            throw new KernelImageException($"{imagePath}: no such kernel image");
        var data = File.ReadAllBytes(imagePath);
        var info = KernelImage.Inspect(data, imagePath);
        var facts = KernelConfigFacts.Unknown;
        if (configPath is not null)
        {
            if (!File.Exists(configPath))
                throw new KernelConfigException($"{configPath}: no such kernel config file");
            facts = KernelConfigFacts.From(KernelConfig.Load(configPath));
        }

        var bootPath = Path.GetFullPath(imagePath);
        if (info.Format == KernelImageFormat.GzipArm64Image)
        {
            var sha = Convert.ToHexStringLower(SHA256.HashData(data));
            var dir = Path.Combine(KernelsRoot, "user", sha[..16]);
            bootPath = Path.Combine(dir, "Image");
            if (!File.Exists(bootPath))
            {
                Directory.CreateDirectory(dir);
                var temp = bootPath + $".{Environment.ProcessId}.tmp";
                File.WriteAllBytes(temp, KernelImage.Gunzip(data, imagePath));
                File.Move(temp, bootPath, overwrite: true);
            }
        }
        var release = info.Release ?? "unknown-" + Path.GetFileName(imagePath);
        return new KernelDescriptor(release, info.Arch, KernelOrigin.User, bootPath,
            configPath is null ? null : Path.GetFullPath(configPath), facts);
    }

    /// <summary>
    /// A cached Debian kernel of a series and arch, without touching apt: the named build (ABI,
    /// release or package version), or the newest cached one. A kernel cached before the agent's
    /// port kept its modules does not count (fetching it again keeps them).
    /// </summary>
    public KernelDescriptor? FindDebian(DebianKernelSeries series, KernelArch arch, string? build = null) =>
        List().Where(k => k.Origin == KernelOrigin.Debian && k.Arch == arch && k.Series == series.Name && !Vm.AgentPort.ModulesNotKept(k))
            .Where(k => build is null || MatchesBuild(series, k, build.Trim()))
            .OrderByDescending(k => series.BuildOf(k.Release, arch) ?? k.Release, DebianVersion.Comparer).FirstOrDefault();

    static bool MatchesBuild(DebianKernelSeries series, KernelDescriptor kernel, string build) =>
        build == kernel.Release || build == series.BuildOf(kernel.Release, kernel.Arch)
        || (kernel.Package?.Split(' ') is [_, var version] && version == build);
}
