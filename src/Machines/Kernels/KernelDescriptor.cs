namespace Conformance.Machines.Kernels;

/// <summary>Where a kernel came from: a Debian package, a `kernels build`, or a path the user gave.</summary>
public enum KernelOrigin { Debian, Built, User }

/// <summary>
/// A bootable kernel the harness knows about: its image, its config (if known) and the config facts
/// that decide what the catalogue may expect of it.
/// </summary>
public sealed record KernelDescriptor(
    string Release, KernelArch Arch, KernelOrigin Origin, string ImagePath, string? ConfigPath, KernelConfigFacts Facts)
{
    /// <summary>"6.1" or "6.12" for Debian and built kernels; null for user kernels.</summary>
    public string? Series { get; init; }

    /// <summary>Debian kernels: the image package and its version, e.g. "linux-image-6.1.0-56-cloud-amd64 6.1.192-2".</summary>
    public string? Package { get; init; }

    /// <summary>Built kernels: the fragments merged on top of tinyconfig, in order.</summary>
    public IReadOnlyList<string> Fragments { get; init; } = [];

    /// <summary>Built kernels: how long `make` took, for the record.</summary>
    public TimeSpan? BuildTime { get; init; }

    /// <summary>
    /// Debian kernels whose virtio console is a module: those modules (paths, in load order) for
    /// the agent's virtio port (see Vm.AgentPort); empty when none were kept.
    /// </summary>
    public IReadOnlyList<string> PortModules { get; init; } = [];

    /// <summary>The directory of the kernel in the cache (null for user kernels outside it).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Names the kernel in messages and machine names, e.g. "debian/x86_64/6.1.0-56-cloud-amd64".</summary>
    public string Name => $"{Origin.ToString().ToLowerInvariant()}/{Arch.Name()}/{Release}";

    public override string ToString() => Name;
}
