using Conformance.Machines.Host;
using Conformance.Machines.Kernels;

namespace Conformance.Machines.Vm;

/// <summary>
/// The initramfs a <see cref="Machines.QemuMachine"/> boots for an arch: the agent as /init and,
/// when its cross compiler is installed, the 32-bit compat helper as /agent32.
/// </summary>
public static class AgentGuestImage
{
    public static Task<string> BuildAsync(KernelArch arch, string cacheRoot, CancellationToken cancellationToken = default,
        string? busyboxPath = null) => Task.Run(() =>
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
        return GuestImage.Build(new GuestImageSpec(arch, agent) { CompatHelperPath = helper, BusyboxPath = busyboxPath }, cacheRoot);
    }, cancellationToken);
}
