namespace Conformance.Machines.Kernels;

/// <summary>
/// A small kernel to build from Debian's linux-source: tinyconfig + base.config + arch/&lt;arch&gt;.config
/// + <see cref="Fragments"/> (paths or built-in names such as "seccomp", "no-seccomp-filter")
/// + series/&lt;series&gt;.config when the series has one.
/// </summary>
public sealed record KernelBuildRequest(KernelArch Arch, DebianKernelSeries Series, IReadOnlyList<string> Fragments);

/// <summary>A build that failed: Kconfig dropped options, or make failed (the log path says where to look).</summary>
public sealed class KernelBuildException(string message, IReadOnlyList<DroppedOption>? dropped = null) : Exception(message)
{
    public IReadOnlyList<DroppedOption> Dropped { get; } = dropped ?? [];
}
