using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Machines.Vm;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Benchmarks.Boot;

/// <summary>
/// Boot-to-agent-ready against boot-to-marker of bare-init on the same kernel and machine. bare-init
/// boots with the fastest command line known, the harness's plus `quiet` (a user timing boots
/// would: the boot console's KERN_NOTICE lines cost emulated UART time), so the difference is
/// everything the harness adds to a boot (its command line, the agent's init duties, HELO, the
/// C# session). Runs alternate agent/bare so that load changes on a shared host hit both alike;
/// medians are reported.
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
        Console.WriteLine("| kernel | accel | wall: agent ready | wall: bare-init marker | wall: harness adds (median of pairs) | QEMU CPU: agent ready | QEMU CPU: bare-init marker | QEMU CPU: harness adds |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var kernel in kernels)
        {
            var accel = await AcceleratorProbe.ResolveAsync(kernel.Arch, QemuAccel.Auto, store.CacheRoot, NullLogger.Instance, CancellationToken.None);
            var agentImage = await AgentGuestImage.ForKernelAsync(kernel, store.CacheRoot);
            var bareImage = GuestImage.Build(new GuestImageSpec(kernel.Arch, await BareInitBinary.BuildAsync(kernel.Arch)), store.CacheRoot);

            // One unmeasured boot of each warms the page cache and the JIT.
            await AgentBoot(kernel, agentImage, accel);
            await BareBoot(kernel, bareImage, accel);
            var agent = new List<Sample>();
            var bare = new List<Sample>();
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
            // Each run boots both back to back, so a pair shares the host's load at that moment;
            // the median of the per-pair ratios is less exposed to load swings than a ratio of
            // medians. QEMU's CPU time is the emulation work itself and hardly depends on load.
            var paired = Median(agent.Zip(bare, (x, y) => (x.Wall - y.Wall) / y.Wall * 100).ToList());
            double agentCpu = Median(agent.Select(x => x.Cpu).ToList()), bareCpu = Median(bare.Select(x => x.Cpu).ToList());
            Console.WriteLine($"| {kernel.Name} | {accel.ToString().ToLowerInvariant()} "
                + $"| {Median(agent.Select(x => x.Wall).ToList()):F2} s ({agent.Min(x => x.Wall):F2}–{agent.Max(x => x.Wall):F2}) "
                + $"| {Median(bare.Select(x => x.Wall).ToList()):F2} s ({bare.Min(x => x.Wall):F2}–{bare.Max(x => x.Wall):F2}) "
                + $"| {paired:+0.0;-0.0} % | {agentCpu:F2} s | {bareCpu:F2} s | {(agentCpu - bareCpu) / bareCpu * 100:+0.0;-0.0} % |");
        }
        return 0;
    }

    /// <summary>One boot: wall seconds and QEMU CPU seconds from QEMU start to ready.</summary>
    readonly record struct Sample(double Wall, double Cpu);

    /// <summary>QEMU start to the agent's HELO, through QemuMachine exactly as the runners boot (with the agent's port where the kernel can have it).</summary>
    static async Task<Sample> AgentBoot(KernelDescriptor kernel, AgentImage image, QemuAccel accel)
    {
        await using var machine = new QemuMachine(new QemuMachineOptions(kernel, image.Path) { Accel = accel, AgentPort = image.Port });
        await machine.StartAsync(CancellationToken.None);
        return new Sample(machine.BootTime!.Value.TotalSeconds, machine.BootCpuTime?.TotalSeconds ?? double.NaN);
    }

    /// <summary>QEMU start to bare-init's marker line, booted `quiet` (which, coming after the harness's loglevel=, wins).</summary>
    static async Task<Sample> BareBoot(KernelDescriptor kernel, string image, QemuAccel accel)
    {
        var spec = new QemuLaunchSpec(kernel.Arch, kernel.ImagePath, image) { Accel = accel, ExtraKernelArgs = ["quiet"] };
        var result = await MarkerBoot.RunAsync(spec, BareInitBinary.Marker, TimeSpan.FromSeconds(120), NullLogger.Instance, stopAtMarker: true);
        if (result.TimeToMarker is not { } wall)
            throw new InvalidOperationException($"{kernel.Name}: bare-init marker never arrived: {result.Fault?.Summary}");
        return new Sample(wall.TotalSeconds, result.CpuTimeToMarker?.TotalSeconds ?? double.NaN);
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
