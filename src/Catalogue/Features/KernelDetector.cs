using Conformance.Machines;
using Conformance.Machines.Protocol;

namespace Conformance.Catalogue.Features;

/// <summary>
/// Boots a machine, runs only the feature probe, and ends the machine: the whole of `detect`.
/// A machine that does not boot or crashes under the probe throws <see cref="MachineFaultException"/>.
/// </summary>
public static class KernelDetector
{
    public sealed record Outcome(KernelDetection Detection, KernelFeatures Features, Hello Hello);

    public static async Task<Outcome> DetectAsync(IMachine machine, CancellationToken cancellationToken)
    {
        var session = await machine.StartAsync(cancellationToken);
        // QEMU's own clock starts at its launch; the session's at its creation (the host agent's spawn).
        var bootTime = machine is QemuMachine qemu && qemu.BootTime is { } b ? b : session.ReadyAfter;
        CaseResult? result = null;
        await foreach (var r in session.RunAsync([FeatureProbe.Request(machine.Arch, session.Hello.Helpers.Count > 0)], cancellationToken))
            result = r;
        var features = FeatureProbe.Interpret(
            result ?? throw new InvalidOperationException($"{machine.Name}: the feature probe returned no result"), session.Hello);
        await session.QuitAsync(cancellationToken);
        return new Outcome(KernelDetection.From(features, machine.Arch, bootTime), features, session.Hello);
    }
}
