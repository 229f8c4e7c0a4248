using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Executor;
using Conformance.Fuzzing;
using Conformance.Fuzzing.Findings;
using Conformance.Machines.Host;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Fuzzing;

/// <summary>
/// `conformance fuzz` on the host kernel through the host agent. A fixed seed finds nothing on a
/// kernel the model describes; a model profile broken on purpose (ERRNO data not capped at
/// MAX_ERRNO, which every kernel since 4.x does) is found, minimized to a few instructions, and
/// its case replays: it fails under the broken profile and passes under the real one.
/// </summary>
[Category("Host"), NonParallelizable]
public class FuzzHostTests
{
    string _out = "";

    [SetUp]
    public void SetUp() => _out = Directory.CreateTempSubdirectory("fuzz-host-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_out, recursive: true);

    FuzzOptions Options(int iterations, KernelProfile? profile = null) => new()
    {
        Mode = FuzzMode.Verdicts,
        Seed = 20261203,
        Iterations = iterations,
        Duration = TimeSpan.FromMinutes(5),
        OutDir = _out,
        ProfileOverride = profile,
    };

    [Test]
    public async Task A_fixed_seed_run_on_the_host_kernel_finds_nothing()
    {
        var campaign = new FuzzCampaign(() => new HostMachine(), Options(iterations: 12), NullLogger.Instance);
        var summary = await campaign.RunAsync(CancellationToken.None);

        TestContext.Out.WriteLine($"{summary.Verdicts} verdicts in {summary.Seconds} s ({summary.VerdictsPerSecond}/s), corpus {summary.CorpusSize}");
        var findings = Directory.GetDirectories(Path.Combine(_out, "findings"));
        foreach (var f in findings)
            TestContext.Out.WriteLine(File.ReadAllText(Path.Combine(f, "finding.json")));
        Assert.That(findings, Is.Empty);
        Assert.That(summary.Stacks, Is.EqualTo(12L * 16), "every stack finished");
        Assert.That(summary.Verdicts, Is.GreaterThan(12L * 16 * 8));
        Assert.That(summary.CorpusSize, Is.GreaterThan(0), "stacks that showed something new were kept");
        Assert.That(File.Exists(Path.Combine(_out, "fuzz.json")), Is.True);
        Assert.That(summary.JitToggled, Is.False, "the host's JIT setting is never touched");
    }

    [Test]
    public async Task Both_modes_in_turn_on_the_host_find_nothing()
    {
        var options = Options(iterations: 16) with { Mode = FuzzMode.All };
        var campaign = new FuzzCampaign(() => new HostMachine(), options, NullLogger.Instance) { Scenarios = ScenarioSources.For(options) };
        var summary = await campaign.RunAsync(CancellationToken.None);
        foreach (var f in Directory.GetDirectories(Path.Combine(_out, "findings")))
            TestContext.Out.WriteLine(File.ReadAllText(Path.Combine(f, "finding.json")));
        Assert.That(summary.Findings + summary.Duplicates, Is.Zero);
        Assert.That(summary.Scenarios, Is.EqualTo(8), "every other iteration is a scenario");
        Assert.That(summary.Stacks, Is.EqualTo(8L * 16));
        Assert.That(Directory.GetFiles(Path.Combine(_out, "corpus", "scenarios")), Is.Not.Empty);
    }

    [Test]
    public async Task A_broken_profile_is_found_minimized_and_its_case_replays()
    {
        var real = KernelProfiles.Linux6_18;
        var broken = real with { Name = "broken-errno-uncapped", CapsErrno = false };
        var campaign = new FuzzCampaign(() => new HostMachine(), Options(iterations: 6, broken), NullLogger.Instance);
        var summary = await campaign.RunAsync(CancellationToken.None);

        var dirs = Directory.GetDirectories(Path.Combine(_out, "findings"));
        Assert.That(dirs, Is.Not.Empty, "the broken profile was found");
        foreach (var dir in dirs)
        {
            var json = File.ReadAllText(Path.Combine(dir, "finding.json"));
            TestContext.Out.WriteLine(json);
            TestContext.Out.WriteLine(File.ReadAllText(Path.Combine(dir, "case.yaml")));
        }
        var verdict = dirs.Select(d => CaseLoader.LoadFile(Path.Combine(d, "case.yaml")).Single()).First();
        var prefix = Conformance.Fuzzing.Verdicts.FilterPrefix.For(Conformance.Fuzzing.Verdicts.FuzzArch.For("x86_64")).Length;
        var bodies = verdict.Filters.Values.Select(f => Conformance.Model.Text.Assembler.Assemble(f.Text, new Conformance.Model.Text.AssembleOptions { Abi = Abi.X86_64 }).Length - prefix).ToList();
        Assert.That(bodies.Sum(), Is.LessThanOrEqualTo(4), "minimized to a few instructions past the prefix");

        // Replay: the case fails under the broken profile, passes under the real one.
        await using var executor = new CaseExecutor(() => new HostMachine(), new ExecutorOptions { PoolSize = 1 }, NullLogger.Instance);
        var machine = await executor.StartAsync(CancellationToken.None);
        var compiled = CaseCompiler.Compile(verdict, machine.Arch, machine.Features);
        var run = await executor.SubmitAsync(new CaseRequest(1, compiled.Case.Timeout, compiled.Program), CancellationToken.None);
        Assert.That(run.Status, Is.EqualTo(ExecutionStatus.Completed));
        Assert.That(CaseJudge.Judge(compiled, run.Result!, machine.Features, broken).Status, Is.EqualTo(CaseStatus.Fail));
        Assert.That(CaseJudge.Judge(compiled, run.Result!, machine.Features, machine.Profile).Status, Is.EqualTo(CaseStatus.Pass));
    }

    [Test]
    public async Task Shards_split_a_seeded_run_and_a_cancelled_run_keeps_what_it_wrote()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        var campaign = new FuzzCampaign(() => new HostMachine(), Options(iterations: 10_000) with { ShardIndex = 1, ShardCount = 3 }, NullLogger.Instance);
        var summary = await campaign.RunAsync(cts.Token);
        Assert.That(summary.StoppedBecause, Is.EqualTo("interrupted"));
        Assert.That(summary.Shard, Is.EqualTo("1/3"));
        Assert.That(File.Exists(Path.Combine(_out, "fuzz.json")), Is.True);
        var corpus = Directory.GetFiles(Path.Combine(_out, "corpus", "verdicts"));
        Assert.That(corpus, Has.Length.EqualTo(summary.CorpusSize));
        Assert.That(corpus.Where(f => f.EndsWith(".tmp", StringComparison.Ordinal)), Is.Empty);
    }
}
