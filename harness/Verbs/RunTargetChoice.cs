using System.CommandLine;
using Conformance.Machines.Kernels;

namespace Conformance.Harness.Verbs;

/// <summary>
/// Which kernels `run` boots, decided from its options alone, before anything is fetched or booted:
/// the host; one kernel (--kernel, or --arch with --series, resolved by KernelOptions); or, with
/// neither, the Debian kernels of --series (6.1 by default) on both arches.
/// </summary>
public abstract record RunTargetChoice
{
    public sealed record Host : RunTargetChoice;

    public sealed record OneKernel : RunTargetChoice;

    public sealed record DebianSeries(DebianKernelSeries Series, IReadOnlyList<KernelArch> Arches) : RunTargetChoice;

    public static RunTargetChoice From(ParseResult parse, Option<bool> host, KernelOptions kernel)
    {
        if (parse.GetValue(host))
            return new Host();
        if (parse.GetValue(kernel.Kernel) is not null || parse.GetValue(kernel.Arch) is not null)
            return new OneKernel();
        return new DebianSeries(DebianKernelSeries.Parse(parse.GetValue(kernel.Series)!), [KernelArch.X86_64, KernelArch.Aarch64]);
    }
}
