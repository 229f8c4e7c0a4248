namespace Conformance.Machines.Kernels;

/// <summary>
/// One downloadable build of a Debian kernel series for one arch: the image package version the
/// archive serves. <see cref="Current"/> marks a build a meta package points at (the release's
/// point-release kernel and the newest security build).
/// </summary>
public sealed record DebianKernelBuild(DebianKernelSeries Series, KernelArch Arch, string Build, DebianPackage Image, bool Current)
{
    /// <summary>The kernel release (uname -r), which names its cache directory: "6.1.0-50-cloud-amd64".</summary>
    public string Release => Image.Name["linux-image-".Length..];

    /// <summary>A request names a build by its ABI, its release or its package version.</summary>
    public bool Matches(string requested) =>
        requested == Build || requested == Release || requested == Image.Version;

    public override string ToString() => $"{Build} ({Image.Version})";
}

/// <summary>
/// A build that was asked for and is not there; the message names the builds that are. An argument
/// error: the request named something the archive does not have.
/// </summary>
public sealed class KernelBuildNotAvailableException(string message, IReadOnlyList<DebianKernelBuild> available) : ArgumentException(message)
{
    public IReadOnlyList<DebianKernelBuild> Available { get; } = available;
}

/// <summary>Turns what apt lists into a series' builds, and picks the one a request means.</summary>
public static class DebianKernelBuilds
{
    /// <summary>
    /// The builds among <paramref name="images"/> (newest version of each image package), newest
    /// first; <paramref name="metas"/> are the meta package's versions, whose Depends mark the current builds.
    /// </summary>
    public static IReadOnlyList<DebianKernelBuild> From(
        DebianKernelSeries series, KernelArch arch, IEnumerable<DebianPackage> images, IEnumerable<DebianPackage> metas)
    {
        var current = metas.SelectMany(m => m.Depends).ToHashSet(StringComparer.Ordinal);
        return images
            .Select(p => (Package: p, Build: series.BuildOf(p.Name, arch)))
            .Where(p => p.Build is not null)
            .GroupBy(p => p.Package.Name)
            .Select(g => g.MaxBy(p => p.Package.Version, DebianVersion.Comparer))
            .Select(p => new DebianKernelBuild(series, arch, p.Build!, p.Package, current.Contains(p.Package.Name)))
            .OrderByDescending(b => b.Image.Version, DebianVersion.Comparer)
            .ToList();
    }

    /// <summary>
    /// The builds to try for a request, in order: the named one; or without a name the builds a meta
    /// package points at, newest first, then the rest newest first. The archive's lists can name
    /// files its pool (or a mirror in between) no longer serves, so the default falls back to
    /// the next build rather than fail; a named build is never swapped for another.
    /// </summary>
    public static IReadOnlyList<DebianKernelBuild> Candidates(
        DebianKernelSeries series, KernelArch arch, IReadOnlyList<DebianKernelBuild> available, string? requested)
    {
        if (available.Count == 0)
            throw new KernelBuildNotAvailableException(
                $"the Debian archive lists no {series.Name} cloud kernel for {arch.Name()} in {Where(series)}", available);
        if (requested is null)
            return available.Where(b => b.Current).Concat(available.Where(b => !b.Current)).ToList();
        var named = available.FirstOrDefault(b => b.Matches(requested.Trim()))
            ?? throw new KernelBuildNotAvailableException(
                $"no build '{requested}' of the {series.Name} cloud kernel for {arch.Name()} in {Where(series)}; available: "
                + string.Join(", ", available), available);
        return [named];
    }

    /// <summary>"bullseye (bullseye, bullseye-security)": where a series' builds were looked for.</summary>
    public static string Where(DebianKernelSeries series) =>
        $"{series.Release.Codename} ({string.Join(", ", series.Release.Suites.Select(s => s.Suite))})";
}
