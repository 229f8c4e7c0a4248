using Conformance.Machines.Tools;
using Microsoft.Extensions.Logging;

namespace Conformance.Machines.Kernels;

/// <summary>An unpacked Debian linux-source tree, shared by every build of its series (builds use O=).</summary>
public sealed record KernelSourceTree(DebianKernelSeries Series, string Package, string Version, string TarballPath, string Directory)
{
    /// <summary>What a build's cache key includes about its source.</summary>
    public string Identity => $"{Package} {Version} {new FileInfo(TarballPath).Length}";
}

/// <summary>
/// Gets Debian's linux-source tarball (the installed package's, or a downloaded one) and unpacks it
/// once into the cache.
/// </summary>
public sealed class KernelSource(string kernelsRoot, ILogger logger)
{
    string SourcesRoot => Path.Combine(kernelsRoot, "sources");

    public async Task<KernelSourceTree> GetAsync(DebianKernelSeries series, CancellationToken cancellationToken)
    {
        var (version, tarball) = await FindTarballAsync(series, cancellationToken);
        var directory = Path.Combine(SourcesRoot, $"{series.SourcePackage}_{version}");
        var tree = Path.Combine(directory, "tree");
        var unpackedMarker = Path.Combine(directory, ".unpacked");
        using (await CacheLock.AcquireAsync(directory + ".lock", cancellationToken))
        {
            if (!File.Exists(unpackedMarker))
            {
                logger.LogInformation("Unpacking {Tarball} into {Directory}", tarball, tree);
                if (System.IO.Directory.Exists(tree))
                    System.IO.Directory.Delete(tree, recursive: true);
                System.IO.Directory.CreateDirectory(tree);
                await ExternalCommand.RunAsync("tar", ["-xf", tarball, "-C", tree], cancellationToken: cancellationToken);
                await File.WriteAllTextAsync(unpackedMarker, tarball + "\n", cancellationToken);
            }
        }
        var top = System.IO.Directory.GetDirectories(tree).SingleOrDefault(d => File.Exists(Path.Combine(d, "Makefile")))
            ?? throw new ExternalCommandException($"{tarball}: unpacked into {tree} but holds no kernel tree with a Makefile");
        return new KernelSourceTree(series, series.SourcePackage, version, tarball, top);
    }

    /// <summary>
    /// The installed package's tarball when it is there; otherwise the newest the release serves is
    /// downloaded into the cache with the release's private apt state.
    /// </summary>
    async Task<(string Version, string Tarball)> FindTarballAsync(DebianKernelSeries series, CancellationToken cancellationToken)
    {
        var installed = Path.Combine("/usr/src", series.SourceTarballName);
        if (File.Exists(installed) && await DebianPackages.InstalledVersionAsync(series.SourcePackage, cancellationToken) is { } installedVersion)
            return (installedVersion, installed);

        var apt = PrivateAptState.For(kernelsRoot, series.Release, logger);
        await apt.EnsureUpdatedAsync(cancellationToken);
        var package = (await apt.ShowAllAsync([series.SourcePackage], "all", cancellationToken))
            .MaxBy(p => p.Version, DebianVersion.Comparer)
            ?? throw new ExternalCommandException($"{series.Release.Codename} has no {series.SourcePackage} package");
        var directory = Path.Combine(SourcesRoot, $"{package.Name}_{package.Version}");
        var tarball = Path.Combine(directory, "deb", "usr", "src", series.SourceTarballName);
        using (await CacheLock.AcquireAsync(directory + ".download.lock", cancellationToken))
        {
            if (!File.Exists(tarball))
            {
                logger.LogInformation("Downloading {Package}", package.Spec);
                var downloads = Path.Combine(directory, "download");
                if (System.IO.Directory.Exists(downloads))
                    System.IO.Directory.Delete(downloads, recursive: true);
                var deb = await apt.DownloadAsync(package, downloads, cancellationToken);
                await DebianPackages.ExtractAsync(deb, Path.Combine(directory, "deb"), cancellationToken);
                System.IO.Directory.Delete(downloads, recursive: true);
                if (!File.Exists(tarball))
                    throw new ExternalCommandException($"{deb}: has no usr/src/{series.SourceTarballName}");
            }
        }
        return (package.Version, tarball);
    }
}
