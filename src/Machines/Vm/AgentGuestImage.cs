using Conformance.Machines.Host;
using Conformance.Machines.Kernels;

namespace Conformance.Machines.Vm;

/// <summary>An agent initramfs for one kernel, and whether that kernel's guest gets the agent's virtio port.</summary>
public sealed record AgentImage(string Path, bool Port);

/// <summary>When a guest gets the agent's virtio port (<see cref="AgentPort"/>).</summary>
public enum AgentPortUse
{
    /// <summary>Never: the protocol stays on the serial console.</summary>
    None,

    /// <summary>
    /// Where the kernel has the drivers built in. Loading them as modules costs the boot about
    /// 0.3 s of TCG time (boot benchmark: +15-19 % over a bare init against +2 % without), about
    /// what the port saves over a whole catalogue run (BENCHMARKS.md), so module kernels keep the
    /// serial console by default.
    /// </summary>
    BuiltIn,

    /// <summary>Built in, or from the modules kept with the kernel.</summary>
    Any,
}

/// <summary>
/// The initramfs a <see cref="Machines.QemuMachine"/> boots for an arch: the agent as /init and,
/// when its cross compiler is installed, the 32-bit compat helper as /agent32; for a kernel that
/// can have the agent's virtio port, the modules it needs for that (<see cref="AgentPort"/>).
/// </summary>
public static class AgentGuestImage
{
    /// <summary>The image for this kernel; boot it with <c>QemuMachineOptions.AgentPort = image.Port</c>.</summary>
    public static async Task<AgentImage> ForKernelAsync(KernelDescriptor kernel, string cacheRoot, CancellationToken cancellationToken = default,
        string? busyboxPath = null, AgentPortUse use = AgentPortUse.BuiltIn)
    {
        var modules = use == AgentPortUse.None ? null : AgentPort.Modules(kernel);
        if (use == AgentPortUse.BuiltIn && modules is { Count: > 0 })
            modules = null;
        var path = await BuildAsync(kernel.Arch, cacheRoot, cancellationToken, busyboxPath, modules ?? []);
        return new AgentImage(path, modules is not null);
    }

    /// <summary>An image without port modules: the agent speaks on the serial console unless the kernel has the port built in and the machine adds one.</summary>
    public static Task<string> BuildAsync(KernelArch arch, string cacheRoot, CancellationToken cancellationToken = default,
        string? busyboxPath = null, IReadOnlyList<string>? modules = null) => Task.Run(() =>
    {
        // make runs at most once per binary and is a no-op when the binaries are fresh.
        var agent = AgentBinaries.Agent(arch.Name());
        string? helper;
        try
        {
            helper = AgentBinaries.Helper(arch.Name());
        }
        catch (InvalidOperationException)
        {
            // No cross compiler for the helper: the guest runs without compat cases (HELO lists no helper).
            helper = null;
        }
        return GuestImage.Build(new GuestImageSpec(arch, agent) { CompatHelperPath = helper, BusyboxPath = busyboxPath, Modules = modules ?? [] }, cacheRoot);
    }, cancellationToken);
}
