namespace Conformance.Machines.Kernels;

/// <summary>
/// Which kernel a booting verb means: --kernel PATH (arch from its header, optional --config), or
/// the Debian cloud kernel of --series for --arch, the build --build names or else the newest
/// (fetched on first use).
/// </summary>
public static class KernelSelection
{
    public static async Task<KernelDescriptor> ResolveAsync(
        KernelStore store, string? kernelPath, string? configPath, KernelArch? arch, DebianKernelSeries series, string? build,
        CancellationToken cancellationToken)
    {
        if (kernelPath is not null)
        {
            if (build is not null)
                throw new ArgumentException("--build names a build of a Debian --series; a --kernel image is its own build");
            var kernel = store.OpenUserKernel(kernelPath, configPath);
            if (arch is { } wanted && wanted != kernel.Arch)
                throw new KernelImageException($"{kernelPath}: an {kernel.Arch.Name()} kernel, but --arch {wanted.Name()} was given");
            return kernel;
        }
        if (configPath is not null)
            throw new ArgumentException("--config describes a --kernel image; Debian kernels bring their own config");
        var target = arch ?? KernelArchNames.Host ?? KernelArch.X86_64;
        return store.FindDebian(series, target, build) ?? await store.FetchDebianAsync(series, target, build, cancellationToken);
    }
}
