using Conformance.Machines.Kernels;
using Conformance.Machines.Tools;
using Microsoft.Extensions.Logging;

namespace Conformance.Benchmarks.Selftest;

/// <summary>A static seccomp_bpf selftest binary and the source it was built from.</summary>
public sealed record SeccompSelftest(KernelArch Arch, string SourcePackage, string SourceVersion, string BinaryPath)
{
    public override string ToString() => $"{SourcePackage} {SourceVersion} seccomp_bpf ({Arch.Name()})";
}

/// <summary>
/// Builds the kernel's own seccomp mode-2 selftest (tools/testing/selftests/seccomp/seccomp_bpf.c)
/// statically for a guest arch from Debian's linux-source, into
/// &lt;cache&gt;/tools/seccomp-selftest/&lt;package&gt;_&lt;version&gt;/. Only the four files the
/// program needs are taken from the tarball (the whole tree is 1.4 GB unpacked); libcap comes from
/// <see cref="LibcapSysroot"/>. Used by the catalogue-versus-selftest benchmark; nothing of it is
/// committed.
/// </summary>
public static class SeccompSelftestBinary
{
    /// <summary>Paths inside the kernel tree that seccomp_bpf.c includes by relative path, plus itself.</summary>
    public static readonly IReadOnlyList<string> SourceFiles =
    [
        "tools/testing/selftests/seccomp/seccomp_bpf.c",
        "tools/testing/selftests/kselftest_harness.h",
        "tools/testing/selftests/kselftest.h",
        "tools/testing/selftests/clone3/clone3_selftests.h",
    ];

    /// <summary>
    /// The selftest Makefile's flags (-Wl,-no-as-needed -Wall, -lpthread, -lcap) plus -static, so the
    /// binary runs in an initramfs with no libc, and -O2.
    /// </summary>
    static readonly string[] CompilerFlags = ["-static", "-O2", "-Wall", "-Wl,-no-as-needed"];

    public static async Task<SeccompSelftest> BuildAsync(
        DebianKernelSeries series, KernelArch arch, string cacheRoot, ILogger logger, CancellationToken cancellationToken = default)
    {
        var (version, sourceDirectory) = await SourceAsync(series, cacheRoot, logger, cancellationToken);
        var outputDirectory = Path.Combine(cacheRoot, "tools", "seccomp-selftest", $"{series.SourcePackage}_{version}", arch.Name());
        var binary = Path.Combine(outputDirectory, "seccomp_bpf");
        var result = new SeccompSelftest(arch, series.SourcePackage, version, binary);
        if (File.Exists(binary))
            return result;
        using var cacheLock = await CacheLock.AcquireAsync(outputDirectory + ".lock", cancellationToken);
        if (File.Exists(binary))
            return result;

        var libcap = await LibcapSysroot.GetAsync(arch, cacheRoot, cancellationToken);
        Directory.CreateDirectory(outputDirectory);
        var temp = binary + ".tmp";
        logger.LogInformation("Building {Selftest}", result);
        var selftestDirectory = Path.Combine(sourceDirectory, "tools", "testing", "selftests", "seccomp");
        await ExternalCommand.RunAsync(Compiler(arch),
            [.. CompilerFlags, "-I", libcap.IncludeDirectory, "seccomp_bpf.c", "-o", temp, "-L", libcap.LibraryDirectory, "-lcap", "-lpthread"],
            workingDirectory: selftestDirectory, cancellationToken: cancellationToken);
        File.Move(temp, binary, overwrite: true);
        return result;
    }

    /// <summary>The cross compiler by its triplet name, so the host's own arch does not matter.</summary>
    static string Compiler(KernelArch arch) => arch switch
    {
        KernelArch.X86_64 => "x86_64-linux-gnu-gcc",
        KernelArch.Aarch64 => "aarch64-linux-gnu-gcc",
        _ => throw new ArgumentOutOfRangeException(nameof(arch)),
    };

    /// <summary>
    /// A directory holding <see cref="SourceFiles"/> at their tree paths: extracted from the installed
    /// linux-source tarball, or, without one, the kernel store's unpacked (downloaded) source tree.
    /// </summary>
    static async Task<(string Version, string Directory)> SourceAsync(
        DebianKernelSeries series, string cacheRoot, ILogger logger, CancellationToken cancellationToken)
    {
        var installed = Path.Combine("/usr/src", series.SourceTarballName);
        var installedVersion = File.Exists(installed)
            ? await DebianPackages.InstalledVersionAsync(series.SourcePackage, cancellationToken)
            : null;
        if (installedVersion is null)
        {
            var tree = await new KernelSource(Path.Combine(cacheRoot, "kernels"), logger).GetAsync(series, cancellationToken);
            return (tree.Version, tree.Directory);
        }

        var directory = Path.Combine(cacheRoot, "tools", "seccomp-selftest", $"{series.SourcePackage}_{installedVersion}", "source");
        var top = Path.Combine(directory, series.SourcePackage);
        var extractedMarker = Path.Combine(directory, ".extracted");
        if (File.Exists(extractedMarker))
            return (installedVersion, top);
        using var cacheLock = await CacheLock.AcquireAsync(directory + ".lock", cancellationToken);
        if (File.Exists(extractedMarker))
            return (installedVersion, top);
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        // xz cannot seek: naming the members still reads the whole stream (about 30 s), once per version.
        logger.LogInformation("Extracting the seccomp selftest from {Tarball}", installed);
        await ExternalCommand.RunAsync("tar", ["-xJf", installed, "-C", directory, .. SourceFiles.Select(f => $"{series.SourcePackage}/{f}")],
            cancellationToken: cancellationToken);
        var missing = SourceFiles.Where(f => !File.Exists(Path.Combine(top, f))).ToList();
        if (missing.Count > 0)
            throw new ExternalCommandException($"{installed}: lacks {string.Join(", ", missing)} under {series.SourcePackage}/");
        await File.WriteAllTextAsync(extractedMarker, installed + "\n", cancellationToken);
        return (installedVersion, top);
    }
}
