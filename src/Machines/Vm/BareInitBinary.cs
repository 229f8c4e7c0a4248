using Conformance.Machines.Host;
using Conformance.Machines.Kernels;
using Conformance.Machines.Tools;

namespace Conformance.Machines.Vm;

/// <summary>
/// The bare static init (src/Native/bare-init): prints <see cref="Marker"/> and reboots. The boot
/// benchmark compares the agent against it, and crash-detection recordings use its `exit` mode.
/// </summary>
public static class BareInitBinary
{
    /// <summary>The line prefix bare-init prints once it runs as PID 1 (followed by the release).</summary>
    public const string Marker = "CONFORMANCE-BARE-INIT-READY";

    /// <summary>Builds bare-init for an arch with its Makefile (a no-op when up to date) and returns the binary's path.</summary>
    public static async Task<string> BuildAsync(KernelArch arch, CancellationToken cancellationToken = default)
    {
        var source = Path.Combine(AgentBinaries.NativeDirectory(), "bare-init");
        var output = Path.Combine(source, "..", "out", "bare-init", arch.Name());
        await ExternalCommand.RunAsync("make", ["-s", "-C", source, $"ARCH={arch.Name()}", $"OUT={Path.GetFullPath(output)}"],
            cancellationToken: cancellationToken);
        return Path.GetFullPath(Path.Combine(output, "bare-init"));
    }
}
