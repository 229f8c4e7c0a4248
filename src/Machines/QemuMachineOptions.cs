using Conformance.Machines.Kernels;
using Conformance.Machines.Tools;
using Conformance.Machines.Vm;

namespace Conformance.Machines;

/// <summary>How to boot one QEMU guest: which kernel, which initramfs, and the limits.</summary>
public sealed record QemuMachineOptions(KernelDescriptor Kernel, string InitramfsPath)
{
    public int MemoryMiB { get; init; } = 512;

    /// <summary>Auto: TCG unless the cached KVM probe says KVM boots on this host (see AcceleratorProbe).</summary>
    public QemuAccel Accel { get; init; } = QemuAccel.Auto;

    /// <summary>
    /// QEMU start to HELO. Boots take 2-4 s under TCG here; the margin is for slow, loaded CI hosts
    /// (syzkaller scales its timeouts 10× for TCG).
    /// </summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Extra kernel parameters (e.g. "conformance.loglevel=7").</summary>
    public IReadOnlyList<string> ExtraKernelArgs { get; init; } = [];

    /// <summary>Words for init's argv (after "--" on the kernel command line); the agent takes none.</summary>
    public IReadOnlyList<string> InitArgs { get; init; } = [];

    /// <summary>
    /// Give the agent a virtio serial port for the protocol (Vm.AgentPort): only with an image
    /// that carries what the kernel needs for it (AgentGuestImage.ForKernelAsync says so).
    /// </summary>
    public bool AgentPort { get; init; }

    /// <summary>Where the KVM probe verdict is cached.</summary>
    public string CacheRoot { get; init; } = CacheDirectory.Default;
}
