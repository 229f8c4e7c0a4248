using Conformance.Machines.Kernels;
using Conformance.Machines.Tools;

namespace Conformance.Machines.Vm;

/// <summary>
/// Debian's static busybox for an arch (busybox-static, or busybox-static:arm64), fetched once into
/// &lt;cache&gt;/tools/. Only `run-vm.sh --shell` needs it; the agent never does.
/// </summary>
public static class BusyboxStatic
{
    public static async Task<string> GetAsync(KernelArch arch, string cacheRoot, CancellationToken cancellationToken)
    {
        var debArch = arch.DebianName();
        var directory = Path.Combine(cacheRoot, "tools", $"busybox-static-{debArch}");
        var binary = Path.Combine(directory, "busybox");
        if (File.Exists(binary))
            return binary;
        using var cacheLock = await CacheLock.AcquireAsync(directory + ".lock", cancellationToken);
        if (File.Exists(binary))
            return binary;
        await DebianPackages.EnsureArchitectureAsync(debArch, cancellationToken);
        var package = await DebianPackages.ShowAsync("busybox-static", debArch, cancellationToken);
        var staging = directory + ".staging";
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        var deb = await DebianPackages.DownloadAsync(package, Path.Combine(staging, "download"), cancellationToken);
        await DebianPackages.ExtractAsync(deb, Path.Combine(staging, "unpacked"), cancellationToken);
        var extracted = Path.Combine(staging, "unpacked", "bin", "busybox");
        if (!File.Exists(extracted))
            throw new ExternalCommandException($"{deb}: has no bin/busybox");
        Directory.CreateDirectory(directory);
        File.Move(extracted, binary + ".tmp", overwrite: true);
        File.Move(binary + ".tmp", binary, overwrite: true);
        Directory.Delete(staging, recursive: true);
        return binary;
    }
}
