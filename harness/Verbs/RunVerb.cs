using System.CommandLine;
using Conformance.Machines.Host;
using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Machines.Vm;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Features;
using Conformance.Executor.Features;
using Conformance.Catalogue.Reports;
using Conformance.Catalogue.Run;
using Microsoft.Extensions.Logging;

namespace Conformance.Harness.Verbs;

/// <summary>
/// `conformance run`: the catalogue on one kernel (--host, or --arch/--kernel/--series), or with no
/// kernel argument on the default Debian kernels of both arches in parallel. Exit 0 when nothing
/// failed or errored, 1 when a case failed or errored, 2 when the harness could not do its job.
/// </summary>
public static class RunVerb
{
    public static Command Create()
    {
        var kernelOptions = new KernelOptions();
        var host = new Option<bool>("--host") { Description = "Run on the host kernel (the agent as a child process; no VM)" };
        var cases = new Option<string>("--cases") { Description = "Case folder, file or glob", DefaultValueFactory = _ => "cases" };
        var expect = new Option<string?>("--expect-features") { Description = "Features that must be present (absent = fail, not skip): names and @FILE profile files, comma-separated" };
        var output = new Option<string?>("--out") { Description = "Result folder (default: results/<timestamp>)" };
        var known = new Option<FileInfo?>("--known")
        {
            Description = "Known failures for this kernel (docs/reports.md): listed cases that fail are xfail, listed cases that pass are xpass (a failure)",
        };
        var jobs = new Option<int?>("--jobs")
        {
            Description = "Guests per kernel, each running a share of the cases (default: the host's cores shared among the kernels run; the host backend always runs one agent)",
        };
        var cmd = new Command("run", "Run the conformance catalogue on a kernel and write results.json, results.ktap, junit.xml and the console log")
        {
            host, cases, expect, output, known, jobs,
        };
        kernelOptions.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            using var logs = VerbLogging.Create();
            var logger = logs.CreateLogger("run");
            var casePath = parse.GetValue(cases)!;
            IReadOnlyList<CaseDefinition> definitions;
            IReadOnlyList<CaseFormatException> loadErrors;
            try
            {
                definitions = CaseLoader.LoadAll(casePath, out loadErrors);
            }
            catch (CaseFormatException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            foreach (var e in loadErrors)
                Console.Error.WriteLine($"error: {e.Message}");
            if (definitions.Count == 0)
            {
                Console.Error.WriteLine($"error: no cases under {casePath}");
                return 2;
            }
            IReadOnlySet<string> expected;
            try
            {
                expected = ExpectedFeatures.Parse(parse.GetValue(expect), File.ReadAllText);
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            var knownFailures = KnownFailures.None;
            if (parse.GetValue(known) is { } knownFile)
            {
                try
                {
                    knownFailures = KnownFailures.Load(knownFile.FullName, definitions.Select(d => d.Id).ToHashSet(StringComparer.Ordinal));
                }
                catch (KnownFailuresFormatException e)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    return 2;
                }
            }
            if (parse.GetValue(jobs) is < 1)
            {
                Console.Error.WriteLine("error: --jobs must be at least 1");
                return 2;
            }
            var options = new RunOptions { ExpectFeatures = expected };
            var outDir = parse.GetValue(output) ?? Path.Combine("results", DateTime.Now.ToString("yyyyMMdd-HHmmss"));

            try
            {
                List<Target> targets = RunTargetChoice.From(parse, host, kernelOptions) switch
                {
                    RunTargetChoice.Host => [new Target("host", () => new HostMachine(logger), options with { Backend = "host" })],
                    RunTargetChoice.DebianSeries d => await DebianTargets(d, options, logger, ct),
                    _ => [await QemuTarget(await kernelOptions.ResolveAsync(parse, new KernelStore(logger: logger), ct), options, logger, ct)],
                };

                var perKernel = JobsPerKernel(parse.GetValue(jobs), targets.Count);
                targets = targets.Select(t => t.Options.Backend == "host" ? t : t with { Options = t.Options with { Jobs = perKernel } }).ToList();

                var board = new ProgressBoard(Console.Out, ProgressBoard.StdoutIsInteractive(), ProgressBoard.TerminalWidth());
                var progress = targets.Select(t => board.Track(t.Label)).ToList();
                var summaries = await Task.WhenAll(targets.Select((t, i) =>
                    RunOne(t, definitions, targets.Count > 1 ? Path.Combine(outDir, t.Label) : outDir, progress[i], knownFailures, logger, ct)));
                board.End();
                Console.WriteLine();
                Console.Write(SummaryTable.Render(progress.Select(p => (p.Label, p.Summary)).ToList()));
                Console.WriteLine($"results in {Path.GetFullPath(outDir)}");
                if (loadErrors.Count > 0) return 2;
                return summaries.Any(s => s.Failed) ? 1 : 0;
            }
            catch (Exception e) when (e is KernelImageException or KernelConfigException or KernelBuildException or Machines.Tools.ExternalCommandException
                                          or IOException or InvalidOperationException or ArgumentException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return cmd;
    }

    sealed record Target(string Label, Func<IMachine> Create, RunOptions Options);

    /// <summary>
    /// One TCG guest keeps one host core busy, so by default the kernels run side by side share
    /// the cores. The host backend stays at one agent: its cases share the host's one kernel log
    /// and printk rate limit, which parallel agents would disturb.
    /// </summary>
    static int JobsPerKernel(int? asked, int kernels) => asked ?? Math.Max(1, Environment.ProcessorCount / Math.Max(1, kernels));

    static async Task<RunSummary> RunOne(Target t, IReadOnlyList<CaseDefinition> cases, string dir, ConsoleProgress progress, KnownFailures known,
        ILogger logger, CancellationToken ct)
    {
        Directory.CreateDirectory(dir);
        var sink = new KnownFailureSink(new SinkSet(
            new ResultsJson(Path.Combine(dir, "results.json")),
            new KtapReport(Path.Combine(dir, "results.ktap")),
            new JunitReport(Path.Combine(dir, "junit.xml"), t.Label),
            new ConsoleLog(Path.Combine(dir, "console.log")),
            progress), known);
        var judged = await new CatalogueRunner(t.Create, t.Options, sink, logger).RunAsync(cases, ct);
        // Only the known-failures sink can tell an expected failure from a new one.
        return sink.Summary ?? judged;
    }

    /// <summary>A Debian series' cloud kernels for each arch, fetched into the cache if needed.</summary>
    static async Task<List<Target>> DebianTargets(RunTargetChoice.DebianSeries choice, RunOptions options, ILogger logger, CancellationToken ct)
    {
        var store = new KernelStore(logger: logger);
        var targets = new List<Target>();
        foreach (var arch in choice.Arches)
        {
            var kernel = store.FindDebian(choice.Series, arch) ?? await store.FetchDebianAsync(choice.Series, arch, ct);
            targets.Add(await QemuTarget(kernel, options, logger, ct));
        }
        return targets;
    }

    static async Task<Target> QemuTarget(KernelDescriptor kernel, RunOptions options, ILogger logger, CancellationToken ct)
    {
        var guest = await QemuGuest.PrepareAsync(kernel, logger, ct);
        return new Target(guest.Label, guest.Create, options with { Backend = "qemu", KernelConfig = guest.KernelConfig });
    }
}
