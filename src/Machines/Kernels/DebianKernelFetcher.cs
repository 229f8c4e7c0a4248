using Conformance.Machines.Tools;
using Microsoft.Extensions.Logging;

namespace Conformance.Machines.Kernels;

/// <summary>
/// Fetches a Debian cloud kernel: meta package → real image package → `apt-get download` →
/// `dpkg-deb -x` → keep vmlinuz and config-*. Each kernel lands in debian/&lt;release&gt;/ and its
/// kernel.json is written last, so a present manifest means a complete kernel.
/// </summary>
public sealed class DebianKernelFetcher(string debianRoot, ILogger logger)
{
    const string ImagePrefix = "linux-image-";

    public async Task<KernelDescriptor> FetchAsync(DebianKernelSeries series, KernelArch arch, CancellationToken cancellationToken)
    {
        var debArch = arch.DebianName();
        await DebianPackages.EnsureArchitectureAsync(debArch, cancellationToken);
        var meta = await DebianPackages.ShowAsync(series.MetaPackage(arch), debArch, cancellationToken);
        var imageName = meta.Depends.FirstOrDefault(d => d.StartsWith(ImagePrefix, StringComparison.Ordinal))
            ?? throw new ExternalCommandException($"{meta.Name} {meta.Version} depends on no {ImagePrefix}* package ({string.Join(", ", meta.Depends)})");
        var image = await DebianPackages.ShowAsync(imageName, debArch, cancellationToken);
        var release = image.Name[ImagePrefix.Length..];
        var finalDir = Path.Combine(debianRoot, release);

        using var fetchLock = await CacheLock.AcquireAsync(finalDir + ".lock", cancellationToken);
        if (File.Exists(Path.Combine(finalDir, KernelManifest.FileName)))
        {
            logger.LogInformation("{Release} ({Arch}) is already in the cache", release, arch.Name());
            return KernelManifest.Load(finalDir).ToDescriptor(finalDir);
        }

        logger.LogInformation("Fetching {Package} for {Meta}", image.Spec, meta.Name);
        var staging = finalDir + ".staging";
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        var download = Path.Combine(staging, "download");
        var unpacked = Path.Combine(staging, "unpacked");
        var deb = await DebianPackages.DownloadAsync(image, download, cancellationToken);
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
        }.Save(staging);
        if (Directory.Exists(finalDir))
            Directory.Delete(finalDir, recursive: true);
        Directory.Move(staging, finalDir);
        return KernelManifest.Load(finalDir).ToDescriptor(finalDir);
    }
}
