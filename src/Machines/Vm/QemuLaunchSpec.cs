using Conformance.Machines.Kernels;

namespace Conformance.Machines.Vm;

/// <summary>Which QEMU accelerator to use. Auto means KVM only when a probe has shown it boots here.</summary>
public enum QemuAccel { Auto, Tcg, Kvm }

/// <summary>Everything that decides a guest's QEMU command line.</summary>
public sealed record QemuLaunchSpec(KernelArch Arch, string KernelPath, string InitramfsPath)
{
    /// <summary>Guest RAM. 512 MiB leaves room for the 2 MiB case areas of many forked cases.</summary>
    public int MemoryMiB { get; init; } = 512;

    /// <summary>Resolved accelerator (Auto is resolved by <see cref="AcceleratorProbe"/> before launch).</summary>
    public QemuAccel Accel { get; init; } = QemuAccel.Tcg;

    /// <summary>The initramfs path the kernel runs as PID 1 (rdinit=).</summary>
    public string Init { get; init; } = "/init";

    /// <summary>Words passed to init as argv[1..] (after "--" on the kernel command line).</summary>
    public IReadOnlyList<string> InitArgs { get; init; } = [];

    /// <summary>More kernel parameters, appended before the init arguments.</summary>
    public IReadOnlyList<string> ExtraKernelArgs { get; init; } = [];

    /// <summary>
    /// Interactive (run-vm.sh --shell): the serial line is multiplexed with QEMU's monitor on the
    /// user's terminal (Ctrl-A X quits) instead of being a plain pipe for the agent.
    /// </summary>
    public bool Interactive { get; init; }

    /// <summary>
    /// A UNIX socket path for the agent's virtio serial port (QEMU listens there; the host connects),
    /// or null: the agent speaks on the serial console. See <see cref="AgentPort"/>.
    /// </summary>
    public string? AgentSocket { get; init; }
}
