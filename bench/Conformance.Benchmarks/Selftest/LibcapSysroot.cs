using Conformance.Machines.Kernels;
using Conformance.Machines.Tools;

namespace Conformance.Benchmarks.Selftest;

/// <summary>
/// Debian's libcap-dev for one arch (headers and the static libcap.a), unpacked once into
/// &lt;cache&gt;/tools/libcap-dev-&lt;debian arch&gt;/ as a private sysroot. The kernel's seccomp_bpf
/// selftest links -lcap; downloading the package instead of installing it keeps the host's package
/// set untouched and serves the cross build (arm64) the same way as the native one.
/// </summary>
public sealed record LibcapSysroot(string Root, string IncludeDirectory, string LibraryDirectory)
{
    public static async Task<LibcapSysroot> GetAsync(KernelArch arch, string cacheRoot, CancellationToken cancellationToken)
    {
        var debArch = arch.DebianName();
        var root = Path.Combine(cacheRoot, "tools", $"libcap-dev-{debArch}");
        var sysroot = new LibcapSysroot(root, Path.Combine(root, "usr", "include"), Path.Combine(root, "usr", "lib", MultiarchTriplet(arch)));
        if (sysroot.IsComplete)
            return sysroot;
        using var cacheLock = await CacheLock.AcquireAsync(root + ".lock", cancellationToken);
        if (sysroot.IsComplete)
            return sysroot;

        await DebianPackages.EnsureArchitectureAsync(debArch, cancellationToken);
        var package = await DebianPackages.ShowAsync("libcap-dev", debArch, cancellationToken);
        var staging = root + ".staging";
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        var deb = await DebianPackages.DownloadAsync(package, Path.Combine(staging, "download"), cancellationToken);
        var unpacked = Path.Combine(staging, "unpacked");
        await DebianPackages.ExtractAsync(deb, unpacked, cancellationToken);
        var staged = new LibcapSysroot(unpacked, Path.Combine(unpacked, "usr", "include"), Path.Combine(unpacked, "usr", "lib", MultiarchTriplet(arch)));
        if (!staged.IsComplete)
            throw new ExternalCommandException($"{deb}: has no usr/include/sys/capability.h or usr/lib/{MultiarchTriplet(arch)}/libcap.a");
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
        Directory.Move(unpacked, root);
        Directory.Delete(staging, recursive: true);
        return sysroot;
    }

    bool IsComplete => File.Exists(Path.Combine(IncludeDirectory, "sys", "capability.h")) && File.Exists(Path.Combine(LibraryDirectory, "libcap.a"));

    static string MultiarchTriplet(KernelArch arch) => arch switch
    {
        KernelArch.X86_64 => "x86_64-linux-gnu",
        KernelArch.Aarch64 => "aarch64-linux-gnu",
        _ => throw new ArgumentOutOfRangeException(nameof(arch)),
    };
}
