using System.Diagnostics;
using Conformance.Machines.Host;
using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Benchmarks.Selftest;
using Conformance.Machines.Vm;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Run;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Benchmarks.Selftest;

/// <summary>
/// The catalogue against the kernel's own seccomp_bpf selftest (built from Debian's linux-source),
/// per kernel and arch, in the same QEMU setup (accelerator, memory, kernel command line; only
/// init differs) and in the same process, alternating the two so that load changes on a shared
/// host hit both alike. Wall time is QEMU start to the last result: the selftest's result line from
/// bare-init, the catalogue's last judged case. QEMU's CPU time at that moment is reported beside
/// it: under TCG it is the emulation work, which the host's load hardly changes. Medians are
/// reported, with where the time went and how many behaviours each side checked (selftest test
/// instances, catalogue cases judged).
///
///   dotnet run -c Release --project bench/Conformance.Benchmarks -- catalogue [--runs 3] [--arch x86_64|aarch64|all] [--series 6.1|6.12] [--cases DIR] [--trace DIR] [--jobs N]
///
/// --trace writes each catalogue run's results with their arrival times as CSV (see CatalogueSample.WriteTrace)
/// and each selftest run's console output.
///
/// The goal (issue 4): the catalogue is no slower than the selftest while judging at least twice
/// as many behaviours as the selftest has test instances.
/// </summary>
public static class CatalogueVersusSelftest
{
    const string Usage = "usage: catalogue [--runs N] [--arch x86_64|aarch64|all] [--series 6.1|6.12] [--cases DIR] [--trace DIR] [--jobs N]";

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 3;
        var arches = KernelArchNames.All.ToList();
        var series = DebianKernelSeries.V6_1;
        string? casePath = null;
        string? traceDirectory = null;
        var jobs = 1;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--runs": runs = int.Parse(args[++i]); break;
                    case "--arch": arches = args[++i] == "all" ? KernelArchNames.All.ToList() : [KernelArchNames.Parse(args[i])]; break;
                    case "--series": series = DebianKernelSeries.Parse(args[++i]); break;
                    case "--cases": casePath = args[++i]; break;
                    case "--trace": traceDirectory = args[++i]; break;
                    case "--jobs": jobs = int.Parse(args[++i]); break;
                    default: throw new ArgumentException($"unknown argument '{args[i]}'");
                }
            }
            if (runs < 1)
                throw new ArgumentException("--runs must be at least 1");
            if (jobs < 1)
                throw new ArgumentException("--jobs must be at least 1");
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException)
        {
            Console.Error.WriteLine($"{e.Message}; {Usage}");
            return 2;
        }

        casePath ??= Path.GetFullPath(Path.Combine(AgentBinaries.NativeDirectory(), "..", "..", "cases"));
        var cases = CaseLoader.LoadAll(casePath, out var loadErrors);
        foreach (var error in loadErrors)
            Console.Error.WriteLine($"error: {error.Message}");
        if (loadErrors.Count > 0 || cases.Count == 0)
        {
            Console.Error.WriteLine($"error: the catalogue under {casePath} did not load cleanly; the benchmark needs all of it");
            return 2;
        }

        var store = new KernelStore();
        var logger = NullLogger.Instance;
        var reports = new List<KernelComparison>();
        Console.WriteLine($"# Catalogue versus the kernel selftest: {runs} runs each, {DateTime.Now:yyyy-MM-dd HH:mm}, "
            + $"{Environment.ProcessorCount} host cores ({CpuModel()}), {cases.Count} cases from {casePath}");
        foreach (var arch in arches)
        {
            var kernel = store.FindDebian(series, arch) ?? await store.FetchDebianAsync(series, arch);
            var accel = await AcceleratorProbe.ResolveAsync(arch, QemuAccel.Auto, store.CacheRoot, logger, CancellationToken.None);
            var selftest = await SeccompSelftestBinary.BuildAsync(series, arch, store.CacheRoot, logger);
            var selftestImage = SelftestBoot.BuildImage(arch, await BareInitBinary.BuildAsync(arch), selftest, store.CacheRoot);
            var agentImage = await AgentGuestImage.ForKernelAsync(kernel, store.CacheRoot);
            var loadBefore = LoadAverage();
            Console.Error.WriteLine($"{kernel.Name}: {selftest}, accel {accel}, load {loadBefore}");

            // One unmeasured selftest boot warms the page cache for the kernel image. The catalogue's
            // first run is measured as it comes: a user's `conformance run` pays its JIT too.
            await SelftestBoot.RunAsync(kernel, selftestImage, accel, logger);
            var selftestRuns = new List<SelftestRun>();
            var catalogueRuns = new List<CatalogueSample>();
            var splitRuns = new List<SplitSample>();
            for (var run = 0; run < runs; run++)
            {
                async Task Selftest()
                {
                    var s = await SelftestBoot.RunAsync(kernel, selftestImage, accel, logger);
                    selftestRuns.Add(s);
                    if (traceDirectory is not null)
                    {
                        Directory.CreateDirectory(traceDirectory);
                        await File.WriteAllTextAsync(Path.Combine(traceDirectory, $"selftest-{arch.Name()}-run{run + 1}.console.txt"),
                            $"# {s.CommandLine}\n{s.ConsoleText}");
                    }
                    Console.Error.WriteLine($"  run {run + 1} selftest : {s.TimeToResult.TotalSeconds:F1} s, QEMU CPU {s.CpuTimeToResult?.TotalSeconds:F1} s ({s.Run}; "
                        + $"{s.Report.Pass} pass, {s.Report.Fail} fail, {s.Report.Skip} skip of {s.Report.Plan}){FaultNote(s.Fault)}");
                }
                async Task Catalogue()
                {
                    var c = await CatalogueSample.RunAsync(kernel, agentImage, accel, cases, store.CacheRoot);
                    catalogueRuns.Add(c);
                    if (traceDirectory is not null)
                    {
                        Directory.CreateDirectory(traceDirectory);
                        c.WriteTrace(Path.Combine(traceDirectory, $"catalogue-{arch.Name()}-run{run + 1}.csv"));
                    }
                    Console.Error.WriteLine($"  run {run + 1} catalogue: {c.Total.TotalSeconds:F1} s, QEMU CPU {c.Cpu.TotalSeconds:F1} s ({c.Summary}; harness CPU {c.HarnessCpu.TotalSeconds:F1} s, boot {c.Boot.TotalSeconds:F1} s, "
                        + $"probe {c.Probe.TotalSeconds:F1} s, {c.Machines} machine(s))");
                }
                async Task Split()
                {
                    var c = await SplitSample.RunAsync(kernel, agentImage, accel, cases, store.CacheRoot, jobs);
                    splitRuns.Add(c);
                    Console.Error.WriteLine($"  run {run + 1} catalogue --jobs {jobs}: {c.Total.TotalSeconds:F1} s ({c.Summary}; {c.Machines} machine(s))");
                }
                if (run % 2 == 0) { await Selftest(); await Catalogue(); }
                else { await Catalogue(); await Selftest(); }
                if (jobs > 1) await Split();
            }
            reports.Add(new KernelComparison(kernel, accel, selftest, selftestRuns, catalogueRuns, loadBefore, LoadAverage()) { SplitRuns = splitRuns, Jobs = jobs });
        }

        Print(reports);
        return reports.All(r => r.SelftestHealthy && r.CatalogueHealthy) ? 0 : 1;
    }

    static void Print(List<KernelComparison> reports)
    {
        Console.WriteLine();
        Console.WriteLine("| kernel | accel | wall: selftest | wall: catalogue | wall: catalogue / selftest | QEMU CPU: selftest | QEMU CPU: catalogue | CPU: catalogue / selftest | selftest instances: pass/fail/skip of plan | catalogue cases: pass/fail/skip/error | judged cases / selftest instances | goal | load before → after |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in reports)
        {
            var s = r.SelftestRuns[^1].Report;
            var c = r.CatalogueRuns[^1].Summary;
            Console.WriteLine($"| {r.Kernel.Name} | {r.Accel.ToString().ToLowerInvariant()} | {r.SelftestMedian:F1} s | {r.CatalogueMedian:F1} s | {r.TimeRatio:F2} | "
                + $"{r.SelftestCpuMedian:F1} s | {r.CatalogueCpuMedian:F1} s | {r.CpuRatio:F2} | "
                + $"{s.Pass}/{s.Fail}/{s.Skip} of {s.Plan} | {c.Pass}/{c.Fail}/{c.Skip}/{c.Error} | {r.BehaviourRatio:F1} | "
                + $"{(r.GoalHolds ? "holds" : "missed: " + string.Join(", ", r.Misses))} | {r.LoadBefore} → {r.LoadAfter} |");
        }

        if (reports.Any(r => r.SplitRuns.Count > 0))
        {
            Console.WriteLine();
            Console.WriteLine("With --jobs (what `conformance run` does by default on this host for one kernel), medians:");
            Console.WriteLine();
            Console.WriteLine("| kernel | jobs | wall: selftest | wall: catalogue, one guest | wall: catalogue, --jobs | --jobs / selftest | catalogue cases: pass/fail/skip/error |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var r in reports.Where(r => r.SplitRuns.Count > 0))
            {
                var split = Median(r.SplitRuns.Select(c => c.Total.TotalSeconds));
                var c = r.SplitRuns[^1].Summary;
                Console.WriteLine($"| {r.Kernel.Name} | {r.Jobs} | {r.SelftestMedian:F1} s | {r.CatalogueMedian:F1} s | {split:F1} s | {split / r.SelftestMedian:F2} | {c.Pass}/{c.Fail}/{c.Skip}/{c.Error} |");
            }
        }

        Console.WriteLine();
        Console.WriteLine("Where the time goes (medians):");
        Console.WriteLine();
        Console.WriteLine("| kernel | selftest: boot to init | selftest: own run | catalogue: boot to HELO | boot QEMU CPU | feature probe | probe to last result | of which in the cases (agent's clock) | outside the cases | per judged case outside | harness CPU (host side) | machines booted |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in reports)
        {
            var cs = r.CatalogueRuns;
            var outside = Median(cs.Select(c => (c.Cases - c.InGuest).TotalSeconds));
            var judged = cs[^1].Summary.Pass + cs[^1].Summary.Fail;
            Console.WriteLine($"| {r.Kernel.Name} | {Median(r.SelftestRuns.Select(s => s.BootPart.TotalSeconds)):F1} s | "
                + $"{Median(r.SelftestRuns.Select(s => s.Run.Elapsed.TotalSeconds)):F1} s | {Median(cs.Select(c => c.Boot.TotalSeconds)):F1} s | "
                + $"{Median(cs.Select(c => c.BootCpu.TotalSeconds)):F1} s | "
                + $"{Median(cs.Select(c => c.Probe.TotalSeconds)):F1} s | {Median(cs.Select(c => c.Cases.TotalSeconds)):F1} s | "
                + $"{Median(cs.Select(c => c.InGuest.TotalSeconds)):F1} s | {outside:F1} s | {outside / Math.Max(1, judged) * 1000:F0} ms | "
                + $"{Median(cs.Select(c => c.HarnessCpu.TotalSeconds)):F1} s | "
                + $"{string.Join("/", cs.Select(c => c.Machines))} |");
        }

        foreach (var r in reports)
        {
            Console.WriteLine();
            Console.WriteLine($"{r.Kernel.Name}: slowest cases by the agent's clock (last run): "
                + string.Join(", ", r.CatalogueRuns[^1].Slowest.Select(e => $"{e.Id} {e.Elapsed.TotalSeconds:F1} s")));
            var failed = r.SelftestRuns.SelectMany(s => s.Report.Results).Where(t => t.Status is KselftestStatus.Fail or KselftestStatus.Error)
                .Select(t => t.Name).Distinct().ToList();
            if (failed.Count > 0)
                Console.WriteLine($"{r.Kernel.Name}: selftest instances that failed in some run: {string.Join(", ", failed)}");
            if (!r.SelftestHealthy)
                Console.WriteLine($"{r.Kernel.Name}: a selftest run did not finish cleanly: "
                    + string.Join("; ", r.SelftestRuns.Where(s => !s.Report.Complete || s.Run.End != ProgramEnd.Exit || s.Fault is not null)
                        .Select(s => $"{s.Run}, {s.Report.Results.Count} of {s.Report.Plan} results{FaultNote(s.Fault)}")));
            if (!r.CatalogueHealthy)
                Console.WriteLine($"{r.Kernel.Name}: a catalogue run had failures, errors or restarts: "
                    + string.Join("; ", r.CatalogueRuns.Select(c => $"{c.Summary}, {c.Machines} machine(s)")));
        }
    }

    static string FaultNote(MachineFault? fault) => fault is null ? "" : $"; console fault {fault.Kind}: {fault.Summary}";

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
}

/// <summary>Both sides' runs on one kernel, and the goal's two conditions.</summary>
sealed record KernelComparison(
    KernelDescriptor Kernel, QemuAccel Accel, SeccompSelftest Selftest, List<SelftestRun> SelftestRuns, List<CatalogueSample> CatalogueRuns,
    string LoadBefore, string LoadAfter)
{
    /// <summary>The same catalogue with --jobs guests, wall time only (several QEMUs share the CPU-time question).</summary>
    public List<SplitSample> SplitRuns { get; init; } = [];
    public int Jobs { get; init; } = 1;

    public double SelftestMedian => CatalogueVersusSelftest.Median(SelftestRuns.Select(s => s.TimeToResult.TotalSeconds));
    public double CatalogueMedian => CatalogueVersusSelftest.Median(CatalogueRuns.Select(c => c.Total.TotalSeconds));
    public double TimeRatio => CatalogueMedian / SelftestMedian;
    public double SelftestCpuMedian => CatalogueVersusSelftest.Median(SelftestRuns.Select(s => s.CpuTimeToResult?.TotalSeconds ?? double.NaN));
    public double CatalogueCpuMedian => CatalogueVersusSelftest.Median(CatalogueRuns.Select(c => c.Cpu.TotalSeconds));
    public double CpuRatio => CatalogueCpuMedian / SelftestCpuMedian;

    /// <summary>Cases judged (pass or fail) in the last run against every test instance the selftest plans.</summary>
    public double BehaviourRatio => (double)(CatalogueRuns[^1].Summary.Pass + CatalogueRuns[^1].Summary.Fail)
        / Math.Max(1, SelftestRuns[^1].Report.Plan ?? SelftestRuns[^1].Report.Results.Count);

    /// <summary>"No slower" is judged on wall time, the goal's own measure; the CPU columns say how much of it is the host's load.</summary>
    public bool GoalHolds => TimeRatio <= 1.0 && BehaviourRatio >= 2.0;

    public IEnumerable<string> Misses
    {
        get
        {
            if (TimeRatio > 1.0) yield return $"{TimeRatio:F1}× the selftest's wall time";
            if (BehaviourRatio < 2.0) yield return $"only {BehaviourRatio:F1}× its behaviours";
        }
    }

    public bool SelftestHealthy => SelftestRuns.All(s => s.Report.Complete && s.Run.End == ProgramEnd.Exit && s.Fault is null);
    public bool CatalogueHealthy => CatalogueRuns.All(c => c.Summary.Fail == 0 && c.Summary.Error == 0 && c.Machines == 1);
}

/// <summary>One whole catalogue run on a fresh machine, timed from QEMU start to the last result.</summary>
sealed record CatalogueSample(
    TimeSpan Total, TimeSpan Cpu, TimeSpan HarnessCpu, TimeSpan Boot, TimeSpan BootCpu, TimeSpan Probe, TimeSpan Cases, TimeSpan InGuest, RunSummary Summary, int Machines,
    IReadOnlyList<(string Id, TimeSpan Elapsed)> Slowest, IReadOnlyList<(string Id, TimeSpan Arrived, TimeSpan Elapsed)> Arrivals)
{
    /// <summary>
    /// One line per result: when it arrived (seconds since QEMU start), the agent's time for the case,
    /// and the time between the previous result and this one that the case itself does not explain.
    /// </summary>
    public void WriteTrace(string path)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("case,arrived_s,in_guest_ms,unexplained_ms");
        var previous = Boot + Probe;
        foreach (var (id, arrived, elapsed) in Arrivals)
        {
            w.WriteLine(FormattableString.Invariant($"{id},{arrived.TotalSeconds:F3},{elapsed.TotalMilliseconds:F1},{(arrived - previous - elapsed).TotalMilliseconds:F1}"));
            previous = arrived;
        }
    }

    public static async Task<CatalogueSample> RunAsync(
        KernelDescriptor kernel, AgentImage image, QemuAccel accel, IReadOnlyList<CaseDefinition> cases, string cacheRoot)
    {
        var machines = new List<QemuMachine>();
        var timing = new CatalogueTiming(() => machines.Count > 0 ? machines[^1].CpuTime : null);
        var cpuOfReplacedMachines = TimeSpan.Zero;
        long started = 0;
        IMachine Create()
        {
            // With the accelerator given, StartAsync goes straight to launching QEMU.
            var machine = new QemuMachine(new QemuMachineOptions(kernel, image.Path) { Accel = accel, CacheRoot = cacheRoot, AgentPort = image.Port });
            if (machines.Count == 0)
                started = Stopwatch.GetTimestamp();
            else
                cpuOfReplacedMachines += timing.TakeQemuCpuTime();
            machines.Add(machine);
            return machine;
        }
        // The host's side of "the host judges": compiling, decoding and judging, in this process.
        var harnessCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var summary = await new CatalogueRunner(Create, new RunOptions(), timing, NullLogger.Instance).RunAsync(cases, CancellationToken.None);
        var harnessCpu = Process.GetCurrentProcess().TotalProcessorTime - harnessCpuBefore;
        var boot = machines[0].BootTime
            ?? throw new InvalidOperationException($"{kernel.Name}: the catalogue's machine never booted: {summary}");
        if (timing.ProbedAt is not { } probed || timing.LastResultAt is not { } last)
            throw new InvalidOperationException($"{kernel.Name}: the catalogue run reported no probe or no results: {summary}");
        var total = Stopwatch.GetElapsedTime(started, last);
        var toProbed = Stopwatch.GetElapsedTime(started, probed);
        var cpu = cpuOfReplacedMachines + (timing.QemuCpuTime
            ?? throw new InvalidOperationException($"{kernel.Name}: QEMU's CPU time could not be read at the last result"));
        return new CatalogueSample(total, cpu, harnessCpu, boot, machines[0].BootCpuTime ?? TimeSpan.Zero, toProbed - boot, total - toProbed, timing.CaseTimeInGuest, summary, machines.Count, timing.Slowest(5),
            timing.Arrivals.Select(a => (a.Id, Stopwatch.GetElapsedTime(started, a.ArrivedAt), a.Elapsed)).ToList());
    }
}

/// <summary>One catalogue run split over several guests booted side by side: QEMU start to the last result.</summary>
sealed record SplitSample(TimeSpan Total, RunSummary Summary, int Machines)
{
    public static async Task<SplitSample> RunAsync(
        KernelDescriptor kernel, AgentImage image, QemuAccel accel, IReadOnlyList<CaseDefinition> cases, string cacheRoot, int jobs)
    {
        var machines = 0;
        var started = Stopwatch.GetTimestamp();
        IMachine Create()
        {
            Interlocked.Increment(ref machines);
            return new QemuMachine(new QemuMachineOptions(kernel, image.Path) { Accel = accel, CacheRoot = cacheRoot, AgentPort = image.Port });
        }
        var timing = new CatalogueTiming(() => null);
        var summary = await new CatalogueRunner(Create, new RunOptions { Jobs = jobs }, timing, NullLogger.Instance).RunAsync(cases, CancellationToken.None);
        if (timing.LastResultAt is not { } last)
            throw new InvalidOperationException($"{kernel.Name}: the split catalogue run reported no results: {summary}");
        return new SplitSample(Stopwatch.GetElapsedTime(started, last), summary, machines);
    }
}
