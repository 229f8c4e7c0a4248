using Conformance.Machines.Kernels;

namespace Conformance.Machines.Vm;

/// <summary>
/// The agent's virtio serial port: protocol frames travel over virtio-serial (one virtqueue
/// transfer per write) instead of crossing the emulated UART byte by byte, which costs the guest
/// several microseconds per byte (BENCHMARKS.md). The serial console stays the kernel's console,
/// so crashes are still read there. The port needs the kernel's virtio PCI transport and console
/// driver: built in, or (Debian's 6.1 and 5.10) modules the agent loads from its image. A kernel
/// without either keeps the protocol on the serial console, as does an agent that finds no port.
/// </summary>
public static class AgentPort
{
    /// <summary>The port's name (the guest sees /dev/vport0p1; the name is for people and `ls /sys/class/virtio-ports`).</summary>
    public const string Name = "org.conformance.agent";

    /// <summary>Tells the agent a port was added and is worth waiting for (src/Native/init.c).</summary>
    public const string KernelArgument = "conformance.port=1";

    /// <summary>The modules the kernel's virtio console needs, in dependency order (each after what it needs).</summary>
    public static readonly string[] ModuleNames =
        ["virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci", "virtio_console"];

    /// <summary>
    /// What the agent's image must carry for the port on this kernel: no modules (built in), the
    /// kernel's kept modules, or null when the port cannot work (no config to tell, drivers
    /// neither built in nor kept).
    /// </summary>
    public static IReadOnlyList<string>? Modules(KernelDescriptor kernel)
    {
        if (kernel.ConfigPath is null || !File.Exists(kernel.ConfigPath))
            return null;
        var config = KernelConfig.Load(kernel.ConfigPath);
        string? console = config["VIRTIO_CONSOLE"], pci = config["VIRTIO_PCI"];
        if (console == "y" && pci == "y")
            return [];
        if (console is "y" or "m" && pci is "y" or "m" && kernel.PortModules.Count > 0 && kernel.PortModules.All(File.Exists))
            return kernel.PortModules;
        return null;
    }

    /// <summary>A Debian kernel whose virtio console is a module but whose modules were not kept: a cache from before the port, fetched again.</summary>
    public static bool ModulesNotKept(KernelDescriptor kernel) =>
        kernel.Origin == KernelOrigin.Debian && kernel.PortModules.Count == 0 && kernel.ConfigPath is { } config && File.Exists(config)
        && KernelConfig.Load(config)["VIRTIO_CONSOLE"] == "m";

    /// <summary>
    /// Copies the port's modules out of an unpacked kernel package (lib/modules/RELEASE/...) into
    /// DIRECTORY/modules, in load order; returns their paths relative to DIRECTORY, or none when
    /// the package has not all of them (the drivers are built in, or the package is unusual).
    /// </summary>
    public static IReadOnlyList<string> KeepModules(string unpacked, string release, string directory)
    {
        var root = Path.Combine(unpacked, "lib", "modules", release, "kernel");
        if (!Directory.Exists(root))
            return [];
        var found = Directory.EnumerateFiles(root, "*.ko", SearchOption.AllDirectories)
            .Where(f => ModuleNames.Contains(Path.GetFileNameWithoutExtension(f)))
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal);
        // Drivers built into the kernel have no .ko: keep only the ones that are modules, in order.
        var kept = new List<string>();
        var target = Path.Combine(directory, "modules");
        foreach (var name in ModuleNames)
        {
            if (!found.TryGetValue(name, out var file))
                continue;
            Directory.CreateDirectory(target);
            File.Copy(file, Path.Combine(target, name + ".ko"), overwrite: true);
            kept.Add(Path.Combine("modules", name + ".ko"));
        }
        return found.ContainsKey("virtio_console") ? kept : [];
    }
}
