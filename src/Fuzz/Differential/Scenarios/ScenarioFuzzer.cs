using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Executor;
using Conformance.Fuzzing.Findings;
using Conformance.Machines;
using Conformance.Machines.Protocol;
using Microsoft.Extensions.Logging;

namespace Conformance.Fuzzing;

/// <summary>
/// Scenario fuzzing on one kernel (mode `scenarios`): each iteration generates a multi-actor case
/// (<see cref="ScenarioGenerator"/>), runs it through the executor and judges it with the
/// catalogue's own judge, every step asking the model. A failed case is rerun; if it fails again
/// it is shrunk (steps, actors and filters dropped, each candidate run on the kernel, the first
/// that still fails at the same step kept) and written as a finding. A scenario that covered a new
/// mix of steps and interleavings joins the corpus; a run starts by replaying its corpus.
/// </summary>
public sealed class ScenarioFuzzer : IIterationSource
{
    const int ShrinkChunk = 24;
    readonly ScenarioContext _ctx;
    readonly ScenarioTarget _target;
    readonly Queue<CaseDefinition> _replay = new();
    readonly HashSet<string> _features = [];
    uint _nextCase = 1;

    public ScenarioFuzzer(ScenarioContext ctx)
    {
        _ctx = ctx;
        _target = ScenarioTarget.From(ctx.Machine.Features);
        foreach (var text in ctx.Corpus.ReadAll())
        {
            try
            {
                foreach (var c in CaseLoader.Parse(text, "corpus"))
                    _replay.Enqueue(c);
            }
            catch (CaseFormatException e)
            {
                ctx.Logger.LogWarning("a scenario corpus entry does not load and is skipped: {Message}", e.Message);
            }
        }
    }

    public int MaxShrinkRounds { get; init; } = 60;

    public async Task IterationAsync(ulong seed, CancellationToken cancellationToken)
    {
        if (_replay.TryDequeue(out var again))
        {
            var replayed = await RunAsync([again], cancellationToken);
            _ctx.Stats.AddScenario();
            if (replayed[0].Verdict?.Status == CaseStatus.Fail)
                _ctx.Logger.LogWarning("corpus scenario {Id} fails on this kernel: {Reason}", again.Id, replayed[0].Verdict!.Reason);
            return;
        }
        var scenario = ScenarioGenerator.Generate(seed, _target);
        var id = $"fuzz/scenario_{seed:x16}";
        var first = (await RunAsync([ScenarioGenerator.ToCase(scenario, id)], cancellationToken))[0];
        _ctx.Stats.AddScenario();
        if (first.Fault is { } fault)
        {
            Record(new Finding(FindingKind.Crash, $"{fault.Kind}: {CrashTitle.Of(fault.Summary)}", $"{fault.Kind}: {fault.Summary}", fault.Summary,
                "the kernel survives the scenario", ScenarioGenerator.ToYaml(scenario, id)) { Seed = seed, ConsoleExcerpt = fault.Excerpt });
            return;
        }
        if (first.Verdict is not { Status: CaseStatus.Fail } failed)
        {
            if (first.Verdict is { Status: CaseStatus.Pass })
                Learn(scenario, id);
            return;
        }
        _ctx.Stats.AddDiscrepancy();
        var signature = Signature(failed);
        var confirm = (await RunAsync([ScenarioGenerator.ToCase(scenario, id)], cancellationToken))[0];
        if (confirm.Verdict is not { Status: CaseStatus.Fail } || Signature(confirm.Verdict) != signature)
        {
            _ctx.Stats.AddUnconfirmed();
            _ctx.Logger.LogWarning("scenario {Id} failed once ({Signature}) but not on a rerun", id, signature);
            return;
        }
        var (smallest, log, verdict) = await ShrinkAsync(scenario, id, signature, confirm.Verdict, cancellationToken);
        var yaml = $"# conformance fuzz (seed {seed}) on {_ctx.Machine.Name} ({_ctx.Machine.Hello.Release}, profile {_ctx.Kernel.Profile.Name})\n"
                   + ScenarioGenerator.ToYaml(smallest, id);
        Record(new Finding(FindingKind.Scenario, signature, $"scenario: {signature}", verdict.Observed, verdict.Expected, yaml)
        {
            Seed = seed,
            MinimizationLog = log,
        });
    }

    async Task<(Scenario, List<string>, CaseVerdict)> ShrinkAsync(Scenario scenario, string id, string signature, CaseVerdict verdict,
        CancellationToken cancellationToken)
    {
        var log = new List<string> { $"start: {scenario.Steps().Count()} steps, {scenario.Filters.Count} filters" };
        for (int round = 0; round < MaxShrinkRounds; round++)
        {
            var candidates = ScenarioGenerator.Shrink(scenario).ToList();
            Scenario? next = null;
            for (int at = 0; at < candidates.Count && next is null; at += ShrinkChunk)
            {
                var chunk = candidates.Skip(at).Take(ShrinkChunk).ToList();
                var runs = await RunAsync([.. chunk.Select(c => ScenarioGenerator.ToCase(c, id))], cancellationToken);
                for (int i = 0; i < chunk.Count; i++)
                    if (runs[i].Verdict is { Status: CaseStatus.Fail } v && Signature(v) == signature)
                    {
                        (next, verdict) = (chunk[i], v);
                        break;
                    }
            }
            if (next is null)
                break;
            scenario = next;
            log.Add($"{scenario.Steps().Count()} steps, {scenario.Filters.Count} filters");
        }
        return (scenario, log, verdict);
    }

    sealed record Outcome(CaseVerdict? Verdict, MachineFault? Fault);

    async Task<List<Outcome>> RunAsync(IReadOnlyList<CaseDefinition> cases, CancellationToken cancellationToken)
    {
        var compiled = cases.Select(c => CaseCompiler.Compile(c, _ctx.Machine.Arch, _ctx.Machine.Features)).ToList();
        var requests = compiled.Select(c => new CaseRequest(_nextCase++, c.Case.Timeout, c.Program)).ToList();
        var outcomes = new List<Outcome>();
        int i = 0;
        await foreach (var e in _ctx.Executor.SubmitAsync(requests, cancellationToken))
        {
            var c = compiled[i++];
            outcomes.Add(e.Status switch
            {
                ExecutionStatus.Completed => new Outcome(CaseJudge.Judge(c, e.Result!, e.Machine!.Features, _ctx.Kernel.Profile), null),
                ExecutionStatus.Faulted => new Outcome(null, e.Fault),
                _ => throw new FuzzAbortedException(e.NotRunReason ?? "the machine could not run the scenario"),
            });
        }
        return outcomes;
    }

    /// <summary>
    /// Which step failed first, by its kind: the same failure after shrinking fails at the same kind of
    /// step. A seccomp_cache listing that departs from the model's action cache is named as such, with
    /// which side caches numbers the other does not, so a shrunk candidate keeps a read that fails the
    /// same way (whichever of /proc/self and /proc/thread-self it reads).
    /// </summary>
    public static string Signature(CaseVerdict v)
    {
        if (v.Checks.FirstOrDefault(c => !c.Passed) is not { } c)
            return v.Reason;
        if (c.Cache is { } departure)
        {
            var how = departure switch
            {
                CacheDeparture.KernelCachesMore | CacheDeparture.ModelCachesMore => "each caches numbers the other does not",
                CacheDeparture.KernelCachesMore => "the kernel caches numbers the model does not",
                CacheDeparture.ModelCachesMore => "the model caches numbers the kernel does not",
                _ => "the listing is not the model's",
            };
            return $"seccomp_cache against the model's action cache: {how}";
        }
        return $"{c.Keyword ?? c.Step} {(c.FromModel ? "against the model" : "as stated")}";
    }

    void Learn(Scenario scenario, string id)
    {
        var key = $"{string.Join(",", scenario.Keywords.Order(StringComparer.Ordinal))} | {scenario.Interleavings}";
        if (_features.Add(key))
            _ctx.Corpus.Add(ScenarioGenerator.ToYaml(scenario, id));
        _ctx.Stats.CorpusSize = Math.Max(_ctx.Stats.CorpusSize, _ctx.Corpus.Count);
    }

    void Record(Finding finding)
    {
        var f = finding with { Arch = _ctx.Machine.Arch, Kernel = _ctx.Machine.Hello.Release, Profile = _ctx.Kernel.Profile.Name };
        if (_ctx.Findings.Add(f))
            _ctx.Logger.LogWarning("finding {Id}: {Title}", f.Id, f.Title);
        _ctx.Stats.Findings = _ctx.Findings.New;
        _ctx.Stats.Duplicates = _ctx.Findings.Duplicates;
    }
}
