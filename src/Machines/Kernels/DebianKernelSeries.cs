namespace Conformance.Machines.Kernels;

/// <summary>
/// A kernel line Debian bookworm ships cloud images for. The meta package always points at the
/// newest ABI of the series; fetching resolves it to the real image package.
/// </summary>
public sealed record DebianKernelSeries(string Name, string MetaPackagePattern, string SourcePackage)
{
    /// <summary>bookworm's own kernel.</summary>
    public static DebianKernelSeries V6_1 { get; } = new("6.1", "linux-image-cloud-{0}", "linux-source-6.1");

    /// <summary>The backported 6.12 from bookworm-security.</summary>
    public static DebianKernelSeries V6_12 { get; } = new("6.12", "linux-image-6.12-cloud-{0}", "linux-source-6.12");

    public static IReadOnlyList<DebianKernelSeries> All { get; } = [V6_1, V6_12];

    public string MetaPackage(KernelArch arch) => string.Format(MetaPackagePattern, arch.DebianName());

    /// <summary>The source tarball the package installs, e.g. /usr/src/linux-source-6.1.tar.xz.</summary>
    public string SourceTarballName => SourcePackage + ".tar.xz";

    public static DebianKernelSeries Parse(string text) =>
        All.FirstOrDefault(s => s.Name == text.Trim())
        ?? throw new ArgumentException($"unknown kernel series '{text}': use {string.Join(" or ", All.Select(s => s.Name))}");

    public override string ToString() => Name;
}
