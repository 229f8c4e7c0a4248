using Conformance.Machines.Kernels;

namespace Conformance.Machines.Vm;

/// <summary>
/// Builds the QEMU invocation for a guest. The choices (measured under TCG on this project's 2-core
/// hosts; docs/kernels-and-vms.md and BENCHMARKS.md hold the figures):
/// - x86_64 `-M pc`, aarch64 `-M virt -cpu cortex-a57`: `-cpu max` on arm64 emulates QARMA pointer
///   authentication and boots 4× slower.
/// - one vCPU: a second vCPU makes boot slower on 2 host cores, and several machines run side by side.
/// - `-nodefaults -no-user-config -display none`, no network, no disks, no host shares: the
///   initramfs is the whole guest; the serial line (QEMU's stdio) is the kernel's console and the agent's fallback channel.
/// - `-no-reboot`: the agent's QUIT reboots, which ends QEMU; so does a panic (panic=-1).
/// - `-accel tcg` explicitly: `kvm:tcg` would pick a KVM that hangs on some hosts.
/// - with an agent socket, a virtio serial port for the protocol (<see cref="AgentPort"/>).
/// </summary>
public static class QemuCommandLine
{
    public static string Executable(KernelArch arch) => arch switch
    {
        KernelArch.X86_64 => "qemu-system-x86_64",
        KernelArch.Aarch64 => "qemu-system-aarch64",
        _ => throw new ArgumentOutOfRangeException(nameof(arch)),
    };

    public static string SerialConsole(KernelArch arch) => arch == KernelArch.X86_64 ? "ttyS0" : "ttyAMA0";

    public static IReadOnlyList<string> Arguments(QemuLaunchSpec spec)
    {
        if (spec.Accel == QemuAccel.Auto)
            throw new ArgumentException("resolve QemuAccel.Auto (AcceleratorProbe) before building a command line");
        var args = new List<string> { "-accel", spec.Accel == QemuAccel.Kvm ? "kvm" : "tcg" };
        args.AddRange(spec.Arch == KernelArch.X86_64 ? ["-M", "pc"] : ["-M", "virt", "-cpu", "cortex-a57"]);
        args.AddRange([
            "-smp", "1", "-m", spec.MemoryMiB.ToString(),
            "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            "-serial", spec.Interactive ? "mon:stdio" : "stdio",
            "-kernel", spec.KernelPath,
            "-initrd", spec.InitramfsPath,
            "-append", KernelCommandLine(spec),
        ]);
        if (spec.AgentSocket is { } socket)
        {
            if (socket.Contains(','))
                throw new ArgumentException($"agent socket path '{socket}' has a comma, which QEMU's -chardev cannot take");
            args.AddRange([
                "-chardev", $"socket,id=agent,path={socket},server=on,wait=off",
                "-device", "virtio-serial-pci,id=agentbus",
                "-device", $"virtserialport,bus=agentbus.0,chardev=agent,name={AgentPort.Name}",
            ]);
        }
        return args;
    }

    /// <summary>
    /// console= the serial port; panic=-1 reboots (so QEMU exits) right after a panic instead of
    /// hanging; reboot=t on x86 (triple fault) because small kernels have no ACPI; no_timer_check
    /// on x86 because the IO-APIC timer check (timer_irq_works: "did jiffies advance during a short
    /// TSC delay?") fails when the emulating host is loaded, and the kernel then panics with
    /// "IO-APIC + timer doesn't work!" (seen on the shared build host). Not oops=panic:
    /// after an oops the kernel often carries on, the harness sees the oops in the console text and
    /// retires the machine itself, and the rest of the oops report still reaches the console.
    /// `quiet`: the boot prints only errors (the boot console's notices cost the x86_64 guest
    /// about 0.7 s of emulated UART work, BENCHMARKS.md "Boot"). quiet also hides KERN_WARNING,
    /// and with it every WARN() splat (panic and oops raise the console level themselves, WARN
    /// does not), so the agent raises the console level to 5 as its first duty, before any case
    /// runs (`conformance.loglevel=N` sets another). The boot banner is gone from the console
    /// with it; an unexpected reboot still shows, as QEMU's exit (-no-reboot).
    /// </summary>
    public static string KernelCommandLine(QemuLaunchSpec spec)
    {
        var words = new List<string> { $"console={SerialConsole(spec.Arch)}", "panic=-1" };
        if (spec.Arch == KernelArch.X86_64)
            words.AddRange(["reboot=t", "no_timer_check"]);
        words.Add("quiet");
        words.Add($"rdinit={spec.Init}");
        if (spec.AgentSocket is not null)
            words.Add(AgentPort.KernelArgument);
        words.AddRange(spec.ExtraKernelArgs);
        if (spec.InitArgs.Count > 0)
        {
            words.Add("--");
            words.AddRange(spec.InitArgs);
        }
        foreach (var w in words)
            if (w.Length == 0 || w.Any(char.IsWhiteSpace) || w.Contains('"'))
                throw new ArgumentException($"kernel command line word '{w}' is empty or has spaces or quotes");
        return string.Join(' ', words);
    }
}
