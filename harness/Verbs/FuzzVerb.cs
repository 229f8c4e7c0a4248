using System.CommandLine;
using System.Globalization;
using Conformance.Catalogue.Reports;
using Conformance.Fuzzing;
using Conformance.Machines;
using Conformance.Machines.Host;
using Conformance.Machines.Kernels;
using Microsoft.Extensions.Logging;

namespace Conformance.Harness.Verbs;

/// <summary>
/// `conformance fuzz`: the differential fuzzer (docs/fuzzing.md) on the host kernel or one guest
/// kernel. Exit 0 when it found nothing, 1 when it found at least one discrepancy (new or a known
/// bucket), 2 when the harness could not do its job.
/// </summary>
public static class FuzzVerb
{
    public static Command Create()
    {
        var kernelOptions = new KernelOptions();
        var host = new Option<bool>("--host") { Description = "Fuzz the host kernel (only calls that are harmless whatever their arguments: docs/fuzzing.md)" };
        var seconds = new Option<int>("--seconds") { Description = "How long to fuzz", DefaultValueFactory = _ => 60 };
        var iterations = new Option<int?>("--iterations") { Description = "Stop after this many iterations of this shard, if sooner" };
        var seed = new Option<string>("--seed") { Description = "The run's seed (decimal or 0x hex): the same seed, corpus and kernel give the same run", DefaultValueFactory = _ => "1" };
        var corpus = new Option<string?>("--corpus") { Description = "Corpus folder shared by shards and runs (default OUT/corpus)" };
        var output = new Option<string?>("--out") { Description = "Result folder (default: results/fuzz-<timestamp>)" };
        var shard = new Option<string>("--shard") { Description = "I/N: this run takes every N-th iteration starting at I", DefaultValueFactory = _ => "0/1" };
        var mode = new Option<string>("--mode") { Description = "verdicts, scenarios or all", DefaultValueFactory = _ => "all" };
        var inputs = new Option<int>("--inputs-per-stack") { Description = "Inputs run under each filter stack", DefaultValueFactory = _ => 256 };
        var cmd = new Command("fuzz", "Fuzz filters, inputs and scenarios against the kernel and the model; findings become catalogue cases")
        {
            host, seconds, iterations, seed, corpus, output, shard, mode, inputs,
        };
        kernelOptions.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            using var logs = VerbLogging.Create();
            var logger = logs.CreateLogger("fuzz");
            FuzzOptions options;
            try
            {
                var (index, count) = ParseShard(parse.GetValue(shard)!);
                options = new FuzzOptions
                {
                    Mode = ParseMode(parse.GetValue(mode)!),
                    Duration = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(seconds))),
                    Iterations = parse.GetValue(iterations),
                    Seed = ParseSeed(parse.GetValue(seed)!),
                    ShardIndex = index,
                    ShardCount = count,
                    OutDir = parse.GetValue(output) ?? Path.Combine("results", "fuzz-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)),
                    CorpusDir = parse.GetValue(corpus),
                    InputsPerStack = (uint)Math.Clamp(parse.GetValue(inputs), 1, 65536),
                };
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            try
            {
                Func<IMachine> create;
                string label;
                if (parse.GetValue(host))
                    (create, label) = (() => new HostMachine(logger), "host");
                else
                {
                    if (parse.GetValue(kernelOptions.Kernel) is null && parse.GetValue(kernelOptions.Arch) is null)
                        throw new ArgumentException("fuzz needs --host, --arch or --kernel");
                    var guest = await QemuGuest.PrepareAsync(await kernelOptions.ResolveAsync(parse, new KernelStore(logger: logger), ct), logger, ct);
                    (create, label) = (guest.Create, guest.Label);
                }
                var campaign = new FuzzCampaign(create, options, logger) { Scenarios = ScenarioSources.For(options) };
                using var progress = new FuzzProgressLine(campaign.Stats, label, Console.Out, ProgressBoard.StdoutIsInteractive());
                var summary = await campaign.RunAsync(ct);
                progress.Dispose();
                Console.WriteLine($"{label}: {summary.Verdicts} verdicts ({summary.VerdictsPerSecond}/s), {summary.Scenarios} scenarios, " +
                                  $"{summary.Findings} new findings, {summary.Duplicates} duplicates, {summary.Unconfirmed} unconfirmed; stopped: {summary.StoppedBecause}");
                Console.WriteLine($"results in {Path.GetFullPath(options.OutDir)}");
                if (summary.StoppedBecause.StartsWith("aborted", StringComparison.Ordinal))
                    return 2;
                return summary.Findings + summary.Duplicates > 0 ? 1 : 0;
            }
            catch (Exception e) when (e is FuzzAbortedException or KernelImageException or KernelConfigException or KernelBuildException
                                          or Machines.Tools.ExternalCommandException or IOException or InvalidOperationException or ArgumentException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return cmd;
    }

    static (int, int) ParseShard(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var i) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var n)
            && n >= 1 && i >= 0 && i < n)
            return (i, n);
        throw new FormatException($"--shard '{text}': I/N with 0 <= I < N");
    }

    static FuzzMode ParseMode(string text) => text switch
    {
        "verdicts" => FuzzMode.Verdicts,
        "scenarios" => FuzzMode.Scenarios,
        "all" => FuzzMode.All,
        _ => throw new FormatException($"--mode '{text}': verdicts, scenarios or all"),
    };

    static ulong ParseSeed(string text)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && ulong.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var h))
            return h;
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var d))
            return d;
        throw new FormatException($"--seed '{text}': a decimal or 0x-hex 64-bit number");
    }
}
