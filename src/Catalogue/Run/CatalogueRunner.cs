using System.Diagnostics;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Executor;
using Conformance.Executor.Features;
using Conformance.Machines;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using Microsoft.Extensions.Logging;

namespace Conformance.Catalogue.Run;

/// <summary>
/// Runs a catalogue on one kernel as a producer of the executor: asks it for a ready machine to
/// learn the kernel's features, compiles the cases for that kernel, submits them as one stream and
/// judges each result as it comes back. Booting, probing and restarting are the executor's.
/// </summary>
public sealed class CatalogueRunner(Func<IMachine> createMachine, RunOptions options, IRunSink sink, ILogger logger)
{
    /// <summary>How one result is judged: <see cref="CaseJudge.Judge"/>; a test swaps in one that throws.</summary>
    public Func<CompiledCase, CaseResult, KernelFeatures, KernelProfile, CaseVerdict> JudgeCase { get; init; } = CaseJudge.Judge;

    public async Task<RunSummary> RunAsync(IReadOnlyList<CaseDefinition> cases, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var tally = new Tally();
        void Emit(CaseReport r)
        {
            tally.Add(r.Verdict.Status);
            sink.OnCase(r);
        }

        var executor = new CaseExecutor(createMachine, new ExecutorOptions { PoolSize = Math.Max(1, options.Jobs), MaxRestarts = options.MaxRestarts }, logger);
        executor.MachineRetired += retired => sink.OnConsole(retired.ConsoleText);
        await using (executor)
        {
            MachineInfo machine;
            try
            {
                machine = await executor.StartAsync(options.Jobs, cancellationToken);
            }
            catch (MachineStartException e)
            {
                sink.OnStart(cases.Count);
                foreach (var c in cases)
                    Emit(Report(c, CaseVerdict.Errored(c.Id, e.Message), TimeSpan.Zero, e.ConsoleExcerpt));
                return Finish(tally, clock);
            }
            var features = Witnessed(machine.Features);
            // The plan counts the detection failures too: they are only known once the probe has run.
            var detectionFailures = DetectionFailures.Of(features);
            sink.OnStart(cases.Count + detectionFailures.Count);
            sink.OnMachine(new MachineReport(machine.Name, options.Backend, machine.Arch, machine.Hello.Release, machine.Hello.Version,
                features, machine.Profile, machine.BootTime, options.KernelConfig));
            foreach (var failure in detectionFailures)
                Emit(failure);

            var pending = Prepare(cases, machine.Arch, features, Emit);
            var requests = pending.Select((p, i) => new CaseRequest((uint)(i + 1), p.Case.Timeout, p.Program)).ToList();
            await foreach (var execution in executor.SubmitSplitAsync(requests, ChunkSize(requests.Count), cancellationToken))
            {
                var compiled = pending[(int)execution.Request.CaseId - 1];
                Emit(execution.Status switch
                {
                    ExecutionStatus.Completed => Report(compiled.Case,
                        Judge(compiled, execution.Result!, Witnessed(execution.Machine!.Features), execution.Machine.Profile), execution.Result!.Elapsed, null),
                    ExecutionStatus.Faulted => Report(compiled.Case,
                        CaseVerdict.Errored(compiled.Case.Id, $"{execution.Fault!.Kind}: {execution.Fault.Summary}"), TimeSpan.Zero, execution.Fault.Excerpt),
                    _ => Report(compiled.Case, CaseVerdict.Errored(compiled.Case.Id, execution.NotRunReason!), TimeSpan.Zero, null),
                });
            }
            return Finish(tally, clock);
        }
    }

    /// <summary>
    /// About four chunks per guest: few enough that each batch's round trip hardly counts, enough
    /// that the guests end close together even when one holds the slow cases.
    /// </summary>
    int ChunkSize(int cases) => Math.Max(16, (cases + 4 * options.Jobs - 1) / (4 * options.Jobs));

    /// <summary>The probe's features with the witness only the host has: the kernel config, when known.</summary>
    KernelFeatures Witnessed(KernelFeatures probed) => ConfigWitness.Apply(probed, options.KernelConfig);

    RunSummary Finish(Tally tally, Stopwatch clock)
    {
        var summary = new RunSummary(tally.Pass, tally.Fail, tally.Skip, tally.Error, clock.Elapsed);
        sink.OnFinished(summary);
        return summary;
    }

    /// <summary>Skips what the kernel lacks (or fails it under --expect-features) and compiles the rest for this arch.</summary>
    List<CompiledCase> Prepare(IReadOnlyList<CaseDefinition> cases, string arch, KernelFeatures features, Action<CaseReport> report)
    {
        var pending = new List<CompiledCase>();
        foreach (var c in cases)
        {
            if (!c.RunsOn(arch))
            {
                report(Report(c, CaseVerdict.Skipped(c.Id, $"only for {string.Join(", ", c.Arches)}"), TimeSpan.Zero, null));
                continue;
            }
            var missing = c.EffectiveNeeds.Where(n => !features.Has(n)).ToList();
            if (missing.Count > 0)
            {
                var expected = missing.Where(options.ExpectFeatures.Contains).ToList();
                report(Report(c, expected.Count > 0
                    ? new CaseVerdict(c.Id, CaseStatus.Fail, $"expected feature absent: {string.Join(", ", expected)}", [])
                    : CaseVerdict.Skipped(c.Id, $"needs {string.Join(", ", missing)}"), TimeSpan.Zero, null));
                continue;
            }
            try
            {
                pending.Add(CaseCompiler.Compile(c, arch, features));
            }
            catch (CaseFormatException e)
            {
                report(Report(c, CaseVerdict.Errored(c.Id, e.Message), TimeSpan.Zero, null));
            }
        }
        return pending;
    }

    /// <summary>Judging one case never ends the run: whatever the judge throws becomes that case's error.</summary>
    CaseVerdict Judge(CompiledCase compiled, CaseResult result, KernelFeatures features, KernelProfile profile)
    {
        try
        {
            return JudgeCase(compiled, result, features, profile);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "judging {Case} failed", compiled.Case.Id);
            return CaseVerdict.Errored(compiled.Case.Id, $"judging failed: {e.GetType().Name}: {e.Message}");
        }
    }

    static CaseReport Report(CaseDefinition c, CaseVerdict v, TimeSpan elapsed, string? excerpt) =>
        new(c, c.Id, c.Description, c.Pos.File, v, elapsed, excerpt);

    sealed class Tally
    {
        public int Pass, Fail, Skip, Error;
        public void Add(CaseStatus s)
        {
            switch (s)
            {
                case CaseStatus.Pass: Pass++; break;
                case CaseStatus.Fail: Fail++; break;
                case CaseStatus.Skip: Skip++; break;
                default: Error++; break;
            }
        }
    }
}
