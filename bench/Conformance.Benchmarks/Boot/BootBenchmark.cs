using Conformance.Agent.Kernels;
using Conformance.Agent.Machines;
using Conformance.Agent.Vm;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Benchmarks.Boot;

/// <summary>
/// Boot-to-agent-ready against boot-to-marker of bare-init on the same kernel, same QEMU command
/// line, same machine. The difference is what the harness adds to a boot (agent init duties,
/// HELO, the C# session). Runs alternate agent/bare so that load changes on a shared host hit
/// both alike; medians are reported.
///
///   dotnet run -c Release --project bench/Conformance.Benchmarks -- boot [--runs 7] [--arch x86_64|aarch64|all] [--kernel PATH]...
///
/// Not BenchmarkDotNet: one sample is a multi-second QEMU boot, and the quantity is a time to a
/// console event, not the duration of a method.
/// </summary>
public static class BootBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 7;
        var arches = KernelArchNames.All.ToList();
        var userKernels = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs": runs = int.Parse(args[++i]); break;
                case "--arch": arches = args[++i] == "all" ? KernelArchNames.All.ToList() : [KernelArchNames.Parse(args[i])]; break;
                case "--kernel": userKernels.Add(args[++i]); break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: boot [--runs N] [--arch x86_64|aarch64|all] [--kernel PATH]...");
                    return 2;
            }
        }

        var store = new KernelStore();
        var kernels = new List<KernelDescriptor>();
        foreach (var arch in arches)
            kernels.Add(store.FindDebian(DebianKernelSeries.V6_1, arch) ?? await store.FetchDebianAsync(DebianKernelSeries.V6_1, arch));
        kernels.AddRange(userKernels.Select(k => store.OpenUserKernel(k)));

        Console.WriteLine($"# Boot benchmark: {runs} runs each, {Environment.ProcessorCount} host cores, load {LoadAverage()}");
        Console.WriteLine("| kernel | accel | agent ready (median) | bare-init marker (median) | harness adds | agent min–max | bare min–max |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var kernel in kernels)
        {
            var accel = await AcceleratorProbe.ResolveAsync(kernel.Arch, QemuAccel.Auto, store.CacheRoot, NullLogger.Instance, CancellationToken.None);
            var agentImage = await AgentGuestImage.BuildAsync(kernel.Arch, store.CacheRoot);
            var bareImage = GuestImage.Build(new GuestImageSpec(kernel.Arch, await BareInitBinary.BuildAsync(kernel.Arch)), store.CacheRoot);

            // One unmeasured boot of each warms the page cache and the JIT.
            await AgentBoot(kernel, agentImage, accel);
            await BareBoot(kernel, bareImage, accel);
            var agent = new List<double>();
            var bare = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                if (run % 2 == 0)
                {
                    agent.Add(await AgentBoot(kernel, agentImage, accel));
                    bare.Add(await BareBoot(kernel, bareImage, accel));
                }
                else
                {
                    bare.Add(await BareBoot(kernel, bareImage, accel));
                    agent.Add(await AgentBoot(kernel, agentImage, accel));
                }
            }
            double a = Median(agent), b = Median(bare);
            Console.WriteLine($"| {kernel.Name} | {accel.ToString().ToLowerInvariant()} | {a:F2} s | {b:F2} s | {(a - b) / b * 100:+0.0;-0.0} % | "
                + $"{agent.Min():F2}–{agent.Max():F2} s | {bare.Min():F2}–{bare.Max():F2} s |");
        }
        return 0;
    }

    /// <summary>QEMU start to the agent's HELO, through QemuMachine exactly as the runners boot.</summary>
    static async Task<double> AgentBoot(KernelDescriptor kernel, string image, QemuAccel accel)
    {
        await using var machine = new QemuMachine(new QemuMachineOptions(kernel, image) { Accel = accel });
        await machine.StartAsync(CancellationToken.None);
        return machine.BootTime!.Value.TotalSeconds;
    }

    /// <summary>QEMU start to bare-init's marker line.</summary>
    static async Task<double> BareBoot(KernelDescriptor kernel, string image, QemuAccel accel)
    {
        var spec = new QemuLaunchSpec(kernel.Arch, kernel.ImagePath, image) { Accel = accel };
        var result = await MarkerBoot.RunAsync(spec, BareInitBinary.Marker, TimeSpan.FromSeconds(120), NullLogger.Instance, stopAtMarker: true);
        return result.TimeToMarker?.TotalSeconds
            ?? throw new InvalidOperationException($"{kernel.Name}: bare-init marker never arrived: {result.Fault?.Summary}");
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
