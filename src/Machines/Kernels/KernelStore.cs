using System.Security.Cryptography;
using Conformance.Machines.Tools;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Machines.Kernels;

/// <summary>
/// The kernels the harness can boot: Debian cloud kernels fetched into the cache, kernels built by
/// `kernels build`, and user images given by path. Cache layout under &lt;cache&gt;/kernels:
/// debian/&lt;release&gt;/, built/&lt;arch&gt;-&lt;series&gt;-&lt;hash&gt;/, user/&lt;sha&gt;/ (decompressed user images),
/// sources/ (unpacked linux-source), work/ (build trees while building).
/// </summary>
public sealed class KernelStore
{
    readonly ILogger _logger;

    public KernelStore(string? cacheRoot = null, ILogger? logger = null)
    {
        CacheRoot = cacheRoot ?? CacheDirectory.Default;
        _logger = _logger ?? NullLogger.Instance;
    }

    public string CacheRoot { get; }
    public string KernelsRoot => Path.Combine(CacheRoot, "kernels");
    string DebianRoot => Path.Combine(KernelsRoot, "debian");

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
    /// Downloads the newest Debian cloud kernel of a series for an arch (resolving the meta package
    /// through apt), unless that exact kernel is already cached.
    /// </summary>
    public Task<KernelDescriptor> FetchDebianAsync(DebianKernelSeries series, KernelArch arch, CancellationToken cancellationToken = default) =>
        new DebianKernelFetcher(DebianRoot, _logger).FetchAsync(series, arch, cancellationToken);

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

    /// <summary>The newest cached Debian kernel of a series and arch, without touching apt.</summary>
    public KernelDescriptor? FindDebian(DebianKernelSeries series, KernelArch arch) =>
        List().Where(k => k.Origin == KernelOrigin.Debian && k.Arch == arch && k.Series == series.Name)
            .OrderByDescending(k => k.Release, StringComparer.Ordinal).FirstOrDefault();
}
