using System.Diagnostics;
using System.Text.Json;
using Conformance.Executor;
using Conformance.Executor.Features;
using Conformance.Fuzzing.Corpus;
using Conformance.Fuzzing.Findings;
using Conformance.Fuzzing.Verdicts;
using Conformance.Machines;
using Microsoft.Extensions.Logging;

namespace Conformance.Fuzzing;

/// <summary>
/// One fuzz run on one kernel: a producer of the executor like the catalogue. It boots and probes
/// a machine, then runs iterations (verdict batches, scenarios, or both in turn) until the time or
/// iteration budget is spent or it is cancelled. Iteration k has seed Derive(seed, k), and a shard
/// I/N takes the iterations with k mod N = I, so shards split one seeded run between them. Findings
/// and corpus entries are files written whole as they are found: a run that is killed keeps them.
/// </summary>
public sealed class FuzzCampaign(Func<IMachine> createMachine, FuzzOptions options, ILogger logger)
{
    public FuzzStats Stats { get; } = new();

    /// <summary>The scenario fuzzer for a machine, when the run has one (mode scenarios or all).</summary>
    public Func<ScenarioContext, IIterationSource>? Scenarios { get; init; }

    public async Task<FuzzSummary> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.OutDir);
        var clock = Stopwatch.StartNew();
        var console = new BoundedLog(Path.Combine(options.OutDir, "console.log"), options.ConsoleLogLimit);
        var executor = new CaseExecutor(createMachine, new ExecutorOptions { PoolSize = 1, MaxRestarts = options.MaxRestarts }, logger);
        executor.MachineRetired += retired => console.Append(retired.ConsoleText);
        string stopped = "time";
        MachineInfo? machine = null;
        var findings = new FindingStore(options.OutDir);
        await using (executor)
        {
            try
            {
                machine = await executor.StartAsync(cancellationToken);
            }
            catch (MachineStartException e)
            {
                throw new FuzzAbortedException($"the machine did not start: {e.Message}");
            }
            var profile = options.ProfileOverride ?? machine.Profile;
            var kernel = KernelDescriptions.Of(machine.Features, profile);
            var corpusDir = options.CorpusDir ?? Path.Combine(options.OutDir, "corpus");
            IIterationSource? verdicts = options.Mode is FuzzMode.Verdicts or FuzzMode.All
                ? new VerdictIterations(new VerdictFuzzer(FuzzArch.For(machine.Arch), machine, kernel, executor,
                    new CorpusStore(Path.Combine(corpusDir, "verdicts"), ".stack"), findings, Stats, logger)
                {
                    StacksPerBatch = options.StacksPerBatch,
                    InputsPerStack = options.InputsPerStack,
                    InvalidPercent = options.InvalidPercent,
                })
                : null;
            IIterationSource? scenarios = options.Mode is FuzzMode.Scenarios or FuzzMode.All && Scenarios is { } make
                ? make(new ScenarioContext(machine, kernel, executor, new CorpusStore(Path.Combine(corpusDir, "scenarios"), ".yaml"), findings, Stats, logger))
                : null;
            if (verdicts is null && scenarios is null)
                throw new FuzzAbortedException($"mode {options.Mode} has nothing to run here");

            int done = 0;
            for (long k = 0; ; k++)
            {
                if (cancellationToken.IsCancellationRequested) { stopped = "interrupted"; break; }
                if (clock.Elapsed >= options.Duration) { stopped = "time"; break; }
                if (options.Iterations is { } max && done >= max) { stopped = "iterations"; break; }
                if (k % options.ShardCount != options.ShardIndex) continue;
                var source = (verdicts, scenarios) switch
                {
                    ({ } v, { } s) => k / options.ShardCount % 2 == 0 ? v : s,
                    ({ } v, null) => v,
                    _ => scenarios!,
                };
                try
                {
                    await source.IterationAsync(FuzzRandom.Derive(options.Seed, (ulong)k), cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    stopped = "interrupted";
                    break;
                }
                catch (FuzzAbortedException e)
                {
                    stopped = $"aborted: {e.Message}";
                    break;
                }
                done++;
                Stats.MachineRestarts = Math.Max(0, executor.Booted - 1);
            }
            Stats.MachineRestarts = Math.Max(0, executor.Booted - 1);
        }
        console.Flush();
        double seconds = clock.Elapsed.TotalSeconds;
        var summary = new FuzzSummary(machine.Hello.Release, machine.Arch, (options.ProfileOverride ?? machine.Profile).Name, options.Mode.ToString().ToLowerInvariant(),
            options.Seed, $"{options.ShardIndex}/{options.ShardCount}", Math.Round(seconds, 1), Stats.Verdicts, Stats.Stacks, Stats.Scenarios,
            findings.New, findings.Duplicates, Stats.Unconfirmed, Stats.CorpusSize, Stats.MachineRestarts,
            Math.Round(Stats.Verdicts / Math.Max(seconds, 0.001), 1), Math.Round(Stats.Scenarios / Math.Max(seconds, 0.001), 2), Stats.Jit, Stats.JitToggled, stopped, findings.Root);
        var tmp = Path.Combine(options.OutDir, "fuzz.json.tmp");
        await File.WriteAllTextAsync(tmp, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }) + "\n", CancellationToken.None);
        File.Move(tmp, Path.Combine(options.OutDir, "fuzz.json"), overwrite: true);
        return summary;
    }
}
