using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Machines.Protocol;
using Conformance.Machines.Vm;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;

namespace Conformance.Tests.Vm;

/// <summary>
/// Kernels and guest images for VM tests, got through the same KernelStore the verbs use (so CI
/// prepares them with `conformance kernels fetch` / `kernels build`); each is made once per run.
/// </summary>
public static class VmKernels
{
    public static readonly KernelStore Store = new();
    static readonly Dictionary<string, Task<KernelDescriptor>> Kernels = [];

    static Task<KernelDescriptor> Once(string key, Func<Task<KernelDescriptor>> make)
    {
        lock (Kernels)
        {
            if (!Kernels.TryGetValue(key, out var task))
                Kernels[key] = task = make();
            return task;
        }
    }

    public static Task<KernelDescriptor> Debian61(KernelArch arch) =>
        Once($"debian-6.1-{arch}", () => Store.FetchDebianAsync(DebianKernelSeries.V6_1, arch));

    /// <summary>bullseye's 5.10 cloud kernel: the newest build the archive serves for the arch.</summary>
    public static Task<KernelDescriptor> Debian510(KernelArch arch) =>
        Once($"debian-5.10-{arch}", () => Store.FetchDebianAsync(DebianKernelSeries.V5_10, arch));

    /// <summary>tinyconfig + base + no-seccomp-filter: SECCOMP without filter mode (NET off).</summary>
    public static Task<KernelDescriptor> NoSeccompFilter(KernelArch arch) =>
        Once($"no-seccomp-filter-{arch}", () => Store.BuildAsync(new KernelBuildRequest(arch, DebianKernelSeries.V6_1, ["no-seccomp-filter"])));

    /// <summary>An agent image without port modules: the agent speaks on the serial console.</summary>
    public static Task<string> AgentImage(KernelArch arch) => AgentGuestImage.BuildAsync(arch, Store.CacheRoot);

    /// <summary>The image `run` boots for this kernel, with the agent's virtio port where the kernel can have it.</summary>
    public static Task<AgentImage> PortImage(KernelDescriptor kernel, AgentPortUse use = AgentPortUse.BuiltIn) =>
        AgentGuestImage.ForKernelAsync(kernel, Store.CacheRoot, use: use);

    public static async Task<string> BareInitImage(KernelArch arch) =>
        GuestImage.Build(new GuestImageSpec(arch, await BareInitBinary.BuildAsync(arch)), Store.CacheRoot);

    public static Abi NativeAbi(KernelArch arch) => arch == KernelArch.X86_64 ? Abi.X86_64 : Abi.Aarch64;

    public static int Nr(KernelArch arch, string name) => SyscallTable.NumberOf(NativeAbi(arch), name);

    /// <summary>Boots an agent machine on a kernel (TCG unless the KVM probe allows otherwise).</summary>
    public static async Task<QemuMachine> StartAgentAsync(KernelDescriptor kernel, AgentPortUse use = AgentPortUse.BuiltIn)
    {
        var image = await PortImage(kernel, use);
        var machine = new QemuMachine(new QemuMachineOptions(kernel, image.Path) { CacheRoot = Store.CacheRoot, AgentPort = image.Port });
        try
        {
            await machine.StartAsync(CancellationToken.None);
            return machine;
        }
        catch
        {
            TestContext.Out.WriteLine(machine.ConsoleText);
            await machine.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs one case program on a machine's agent and returns its result.</summary>
    public static async Task<CaseResult> RunOne(QemuMachine machine, ProgramBuilder program, uint caseId = 1)
    {
        var results = new List<CaseResult>();
        await foreach (var r in machine.Session!.RunAsync([new CaseRequest(caseId, TimeSpan.FromSeconds(20), program.Build())], CancellationToken.None))
            results.Add(r);
        return results.Single();
    }

    /// <summary>True when the QEMU process with this id is gone (or a zombie nobody will run again).</summary>
    public static bool ProcessGone(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
            return true;
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }
}
