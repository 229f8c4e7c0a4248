using Conformance.Machines;
using Conformance.Machines.Kernels;
using Conformance.Machines.Vm;
using Conformance.Catalogue.Features;
using Microsoft.Extensions.Logging;

namespace Conformance.Harness.Verbs;

/// <summary>A kernel made ready to boot with the agent (its guest image built), for any verb that runs work in QEMU.</summary>
public sealed record QemuGuest(string Label, Func<IMachine> Create, IReadOnlyDictionary<string, string> KernelConfig)
{
    public static async Task<QemuGuest> PrepareAsync(KernelDescriptor kernel, ILogger logger, CancellationToken ct)
    {
        var store = new KernelStore(logger: logger);
        var image = await AgentGuestImage.ForKernelAsync(kernel, store.CacheRoot, ct);
        var config = kernel.Facts.HasConfig
            ? KernelConfigFacts.Reported.ToDictionary(k => k, k => KernelConfigFacts.Letter(kernel.Facts[k]))
            : new Dictionary<string, string>();
        return new QemuGuest($"{kernel.Arch.Name()}-{kernel.Release}",
            () => new QemuMachine(new QemuMachineOptions(kernel, image.Path) { CacheRoot = store.CacheRoot, AgentPort = image.Port }, logger), config);
    }
}
