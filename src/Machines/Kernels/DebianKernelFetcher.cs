using Conformance.Machines.Tools;
using Microsoft.Extensions.Logging;

namespace Conformance.Machines.Kernels;

/// <summary>
/// Fetches a Debian cloud kernel build: `apt-get download` of its image package →
/// `dpkg-deb -x` → keep vmlinuz, config-* and the modules of the agent's virtio port (Vm.AgentPort). Each kernel lands in debian/&lt;release&gt;/ and its
/// kernel.json is written last, so a present manifest means a complete kernel. The release names
/// the build, so every build of a series has its own directory.
/// </summary>
public sealed class DebianKernelFetcher(string debianRoot, ILogger logger)
{
    /// <summary>Downloads one build (see <see cref="DebianKernelBuilds"/>) through its release's private apt state, unless it is cached.</summary>
    public async Task<KernelDescriptor> FetchAsync(DebianKernelBuild build, PrivateAptState apt, CancellationToken cancellationToken)
    {
        var (series, arch, image, release) = (build.Series, build.Arch, build.Image, build.Release);
        var finalDir = Path.Combine(debianRoot, release);

        using var fetchLock = await CacheLock.AcquireAsync(finalDir + ".lock", cancellationToken);
        if (File.Exists(Path.Combine(finalDir, KernelManifest.FileName)))
        {
            var cached = KernelManifest.Load(finalDir).ToDescriptor(finalDir);
            if (!Vm.AgentPort.ModulesNotKept(cached))
            {
                logger.LogInformation("{Release} ({Arch}) is already in the cache", release, arch.Name());
                return cached;
            }
            // Fetched before the agent's virtio port existed: fetch again to keep its modules.
            logger.LogInformation("{Release} ({Arch}) is cached without the agent port's modules; fetching it again", release, arch.Name());
        }

        logger.LogInformation("Fetching {Package} from {Release}", image.Spec, series.Release.Codename);
        var staging = finalDir + ".staging";
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        var download = Path.Combine(staging, "download");
        var unpacked = Path.Combine(staging, "unpacked");
        var deb = await apt.DownloadAsync(image, download, cancellationToken);
        await DebianPackages.ExtractAsync(deb, unpacked, cancellationToken);

        var boot = Path.Combine(unpacked, "boot");
        var vmlinuz = Path.Combine(boot, "vmlinuz-" + release);
        var config = Path.Combine(boot, "config-" + release);
        if (!File.Exists(vmlinuz))
            throw new ExternalCommandException($"{deb}: has no boot/vmlinuz-{release}");

        var data = await File.ReadAllBytesAsync(vmlinuz, cancellationToken);
        var info = KernelImage.Inspect(data, vmlinuz);
        if (info.Arch != arch)
            throw new KernelImageException($"{deb}: boot/vmlinuz-{release} is an {info.Arch.Name()} kernel, expected {arch.Name()}");
        // Debian's arm64 packages ship a plain Image today; if one ever ships Image.gz, keep the
        // decompressed copy so QEMU does not gunzip it on every boot.
        string imageFile;
        if (info.Format == KernelImageFormat.GzipArm64Image)
        {
            imageFile = "Image";
            await File.WriteAllBytesAsync(Path.Combine(staging, imageFile), KernelImage.Gunzip(data, vmlinuz), cancellationToken);
        }
        else
        {
            imageFile = "vmlinuz";
            File.Move(vmlinuz, Path.Combine(staging, imageFile));
        }
        string? configFile = null;
        if (File.Exists(config))
        {
            configFile = "config";
            File.Move(config, Path.Combine(staging, configFile));
        }
        var portModules = Vm.AgentPort.KeepModules(unpacked, release, staging);
        Directory.Delete(download, recursive: true);
        Directory.Delete(unpacked, recursive: true);

        new KernelManifest
        {
            Release = release,
            Arch = arch.Name(),
            Origin = nameof(KernelOrigin.Debian),
            Image = imageFile,
            Config = configFile,
            Series = series.Name,
            Package = $"{image.Name} {image.Version}",
            PortModules = portModules.Count > 0 ? portModules : null,
        }.Save(staging);
        if (Directory.Exists(finalDir))
            Directory.Delete(finalDir, recursive: true);
        Directory.Move(staging, finalDir);
        return KernelManifest.Load(finalDir).ToDescriptor(finalDir);
    }
}
