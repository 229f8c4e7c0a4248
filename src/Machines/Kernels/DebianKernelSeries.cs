using System.Text.RegularExpressions;

namespace Conformance.Machines.Kernels;

/// <summary>
/// A kernel line Debian ships cloud images for, in one release. The meta package points at the
/// newest build of the series; the image packages are named linux-image-&lt;build&gt;-cloud-&lt;arch&gt;,
/// where the build is the ABI ("6.1.0-50", "6.12.38+deb12", "5.10.0-32") and changes with every
/// upload that changes the kernel.
/// </summary>
public sealed record DebianKernelSeries(
    string Name, DebianRelease Release, string MetaPackagePattern, string BuildPattern, string SourcePackage)
{
    /// <summary>bookworm's own kernel.</summary>
    public static DebianKernelSeries V6_1 { get; } =
        new("6.1", DebianRelease.Bookworm, "linux-image-cloud-{0}", @"6\.1\.0-[0-9]+", "linux-source-6.1");

    /// <summary>The backported 6.12 from bookworm-security.</summary>
    public static DebianKernelSeries V6_12 { get; } =
        new("6.12", DebianRelease.Bookworm, "linux-image-6.12-cloud-{0}", @"6\.12\.[0-9]+\+deb12", "linux-source-6.12");

    /// <summary>bullseye's own kernel (bullseye is in LTS; its security suite still gets builds).</summary>
    public static DebianKernelSeries V5_10 { get; } =
        new("5.10", DebianRelease.Bullseye, "linux-image-cloud-{0}", @"5\.10\.0-[0-9]+", "linux-source-5.10");

    public static IReadOnlyList<DebianKernelSeries> All { get; } = [V6_1, V6_12, V5_10];

    public string MetaPackage(KernelArch arch) => string.Format(MetaPackagePattern, arch.DebianName());

    /// <summary>The image package of one build, e.g. linux-image-6.1.0-50-cloud-amd64.</summary>
    public string ImagePackage(string build, KernelArch arch) => $"linux-image-{build}-cloud-{arch.DebianName()}";

    /// <summary>
    /// Matches this series' image packages for an arch (an extended regular expression, as apt-cache
    /// search takes, that .NET reads the same way). The pattern keeps bullseye's 6.1 backports
    /// (linux-image-6.1.0-0.deb11.NN-cloud-amd64) out of the 5.10 series.
    /// </summary>
    public string ImagePackagePattern(KernelArch arch) => $"^linux-image-({BuildPattern})-cloud-{arch.DebianName()}$";

    /// <summary>The build of an image package name or kernel release of this series ("6.1.0-50-cloud-amd64" → "6.1.0-50").</summary>
    public string? BuildOf(string imagePackageOrRelease, KernelArch arch)
    {
        var name = imagePackageOrRelease.StartsWith("linux-image-", StringComparison.Ordinal)
            ? imagePackageOrRelease : "linux-image-" + imagePackageOrRelease;
        var match = Regex.Match(name, ImagePackagePattern(arch));
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>The source tarball the package installs, e.g. /usr/src/linux-source-6.1.tar.xz.</summary>
    public string SourceTarballName => SourcePackage + ".tar.xz";

    public static DebianKernelSeries Parse(string text) =>
        All.FirstOrDefault(s => s.Name == text.Trim())
        ?? throw new ArgumentException($"unknown kernel series '{text}': use {string.Join(", ", All.Select(s => s.Name))}");

    public override string ToString() => Name;
}
