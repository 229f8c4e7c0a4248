using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Fuzzing;
using Conformance.Model.Seccomp;
using Conformance.Model.Text;

namespace Conformance.Tests.Fuzz.Scenarios;

/// <summary>
/// The scenario generator (src/Fuzz/Differential/Scenarios): every scenario for 500 seeds on each
/// arch is a case CaseLoader reads and CaseCompiler compiles for that arch, follows the checker's
/// safety rules, comes out the same for the same seed, and shrinks only into cases that do too;
/// over those seeds the generator uses its whole step vocabulary and all three interleavings.
/// </summary>
public class ScenarioGeneratorTests
{
    const int Seeds = 500;

    static readonly string[] Arches = ["x86_64", "aarch64"];

    static string Id(ulong seed) => $"fuzz/scenarios/s{seed}";

    static CaseDefinition ParseAndCompile(Scenario scenario, string id, string arch)
    {
        var yaml = ScenarioGenerator.ToYaml(scenario, id);
        CaseDefinition definition;
        try
        {
            definition = CaseLoader.Parse(yaml, "scenario.yaml").Single();
            CaseCompiler.Compile(definition, arch);
        }
        catch (Exception e)
        {
            Assert.Fail($"{id} on {arch} does not load or compile: {e.Message}\n{Numbered(yaml)}");
            throw;
        }
        return definition;
    }

    internal static string Numbered(string yaml) =>
        string.Join("\n", yaml.Split('\n').Select((line, i) => $"{i + 1,4}  {line}"));

    [TestCaseSource(nameof(Arches))]
    public void Every_scenario_parses_compiles_follows_the_rules_and_is_the_same_for_the_same_seed(string arch)
    {
        var target = ScenarioTarget.Everything(arch);
        for (ulong seed = 1; seed <= Seeds; seed++)
        {
            var scenario = ScenarioGenerator.Generate(seed, target);
            var yaml = ScenarioGenerator.ToYaml(scenario, Id(seed));
            var definition = ParseAndCompile(scenario, Id(seed), arch);
            Assert.That(definition.Id, Is.EqualTo(Id(seed)));
            Assert.That(ScenarioChecker.Problems(scenario), Is.Empty, $"seed {seed}:\n{Numbered(yaml)}");
            Assert.That(ScenarioGenerator.ToYaml(ScenarioGenerator.Generate(seed, target), Id(seed)), Is.EqualTo(yaml), $"seed {seed} is not deterministic");
        }
    }

    [TestCaseSource(nameof(Arches))]
    public void Shrunk_scenarios_parse_compile_and_follow_the_rules(string arch)
    {
        var target = ScenarioTarget.Everything(arch);
        int checkedCandidates = 0;
        for (ulong seed = 1; seed <= Seeds; seed++)
        {
            var scenario = ScenarioGenerator.Generate(seed, target);
            // Every candidate of every tenth seed, the first few of the others.
            var candidates = ScenarioGenerator.Shrink(scenario);
            foreach (var smaller in seed % 10 == 0 ? candidates : candidates.Take(3))
            {
                ParseAndCompile(smaller, Id(seed), arch);
                Assert.That(smaller.Steps().Count() <= scenario.Steps().Count(), $"seed {seed}: a candidate has more steps");
                checkedCandidates++;
            }
        }
        TestContext.Out.WriteLine($"{checkedCandidates} shrunk scenarios checked on {arch}");
        Assert.That(checkedCandidates, Is.GreaterThan(Seeds));
    }

    /// <summary>Every step kind the generator writes.</summary>
    static readonly string[] Vocabulary =
    [
        "call", "nnp", "install", "drop_caps", "setuid", "rlimit_core", "signal", "block", "unblock", "mark", "exit",
        "fork", "thread", "exec", "exec32", "wait", "join", "set_flag", "wait_flag",
        "ptrace", "trace", "notif_recv", "notif_send", "notif_addfd", "notif_id_valid", "close",
        "read",   // a seccomp_cache listing: Everything has cache_debug (ScenarioCacheTests)
    ];

    [TestCaseSource(nameof(Arches))]
    public void Over_500_seeds_every_step_kind_and_every_interleaving_appears(string arch)
    {
        var scenarios = Enumerable.Range(1, Seeds).Select(seed => ScenarioGenerator.Generate((ulong)seed, ScenarioTarget.Everything(arch))).ToList();
        var steps = scenarios.SelectMany(s => s.Steps()).ToList();
        var keywords = steps.Select(s => s.Keyword).ToHashSet();
        Assert.That(Vocabulary.Except(keywords), Is.Empty, "step kinds never generated");
        Assert.That(keywords.Except(Vocabulary), Is.Empty, "step kinds generated but not listed here");
        foreach (var kind in Vocabulary)
            Assert.That(Conformance.Catalogue.Steps.StepKinds.Find(kind), Is.Not.Null, $"{kind} is a catalogue step kind");

        foreach (var interleaving in new[] { Interleavings.ActWhileStopped, Interleavings.FilterDuringStop, Interleavings.ForkDuringNotification })
        {
            var with = scenarios.Where(s => s.Interleavings.HasFlag(interleaving)).ToList();
            TestContext.Out.WriteLine($"{interleaving}: {with.Count} of {Seeds}");
            Assert.That(with, Has.Count.GreaterThan(Seeds / 20), $"{interleaving} is rare");
            // Each is built around a stop the other actors wait for: a notified call or a held seccomp stop.
            Assert.That(with.All(s => s.Steps().OfType<ScCall>().Any(c => c.Role != CallRole.Plain)), $"{interleaving} without a stop");
        }
        Assert.That(scenarios.Where(s => s.Interleavings.HasFlag(Interleavings.ForkDuringNotification))
            .All(s => s.Steps().OfType<ScCall>().Any(c => c.Role == CallRole.Notify)), "a fork during a notification needs a notification");
        Assert.That(steps.OfType<ScInstall>().Where(i => i.Interleaving.HasFlag(Interleavings.FilterDuringStop)).Any(i => i.Flags.Contains("TSYNC")),
            "a filter TSYNCed onto a stopped thread");
        var held = scenarios.Where(s => s.Steps().OfType<ScCall>().Any(c => c.Role == CallRole.HeldStop)).ToList();
        var notified = scenarios.Where(s => s.Steps().OfType<ScCall>().Any(c => c.Role == CallRole.Notify)).ToList();
        Assert.That(held.Any(s => s.Interleavings.HasFlag(Interleavings.ActWhileStopped)), "a thread acting while its sibling is in a ptrace stop");
        Assert.That(notified.Any(s => s.Interleavings.HasFlag(Interleavings.ActWhileStopped)), "a thread acting while its sibling waits on a notification");

        // The action space, the flags and the answers of tracers and supervisors.
        var filters = scenarios.SelectMany(s => s.Filters).ToList();
        var actions = filters.SelectMany(f => f.AllLeaves).Select(a => a.Action).ToHashSet();
        Assert.That(Enum.GetValues<SeccompAction>().Cast<SeccompAction?>().Append(null).Except(actions), Is.Empty, "actions (null: a value no kernel defines)");
        Assert.That(filters.Any(f => f.Flaw is not null), "a filter Linux refuses");
        var flags = steps.OfType<ScInstall>().SelectMany(i => i.Flags).ToHashSet();
        Assert.That(new[] { "TSYNC", "TSYNC_ESRCH", "LOG", "SPEC_ALLOW", "NEW_LISTENER", "WAIT_KILLABLE_RECV" }.Except(flags), Is.Empty, "install flags");
        Assert.That(steps.OfType<ScInstall>().Any(i => i.Fprog is not null) && steps.OfType<ScInstall>().Any(i => i.ViaPrctl), "fprog shapes and prctl");
        var replies = steps.OfType<ScTrace>().SelectMany(t => t.Replies).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(replies.Any(r => r.Redirect is not null), "redirect");
            Assert.That(replies.Any(r => r.Skip is not null), "skip");
            Assert.That(replies.Any(r => r.SetArg is not null), "set_arg");
            Assert.That(replies.Any(r => r.Kills), "kill");
            Assert.That(replies.Any(r => r.Detaches), "detach");
            Assert.That(steps.OfType<ScTrace>().Any(t => t.ResumeSyscall), "resume: syscall");
            var sends = steps.OfType<ScNotifSend>().ToList();
            Assert.That(sends.Any(n => n.Continue) && sends.Any(n => n.Error != 0) && sends.Any(n => n.Val != 0), "CONTINUE, an error and a value");
            Assert.That(steps.OfType<ScNotifAddfd>().Any(a => a.Send) && steps.OfType<ScNotifAddfd>().Any(a => a.SetFd), "addfd with SEND and SETFD");
            Assert.That(steps.OfType<ScDropCaps>().Any(d => d.Caps is null), "drop_caps all");
            Assert.That(steps.OfType<ScSignal>().Select(x => x.Disposition).Distinct().Count(), Is.EqualTo(3), "handler, ignore, default");
            Assert.That(steps.OfType<ScCall>().Any(c => c.Args.Contains("buf")), "an argument the model cannot know");
            if (arch == "x86_64")
                Assert.That(steps.OfType<ScCall>().Any(c => c.Compat), "int $0x80");
        });
    }

    /// <summary>A scenario only needs what its target has, so it runs rather than skips there.</summary>
    [TestCase("x86_64", "linux-4.9")]
    [TestCase("x86_64", "linux-5.4")]
    [TestCase("aarch64", "linux-5.10")]
    [TestCase("x86_64", "linux-6.18")]
    public void A_scenario_needs_only_what_its_target_has(string arch, string profile)
    {
        var target = ScenarioTarget.FromProfile(arch, KernelProfiles.ByName(profile)!, compat: arch == "x86_64");
        for (ulong seed = 1; seed <= 100; seed++)
        {
            var scenario = ScenarioGenerator.Generate(seed, target);
            var needs = ScenarioYaml.Needs(scenario);
            Assert.That(needs.Where(n => !target.Has(n)), Is.Empty, $"seed {seed} on {target}");
            ParseAndCompile(scenario, Id(seed), arch);
        }
    }

    [Test]
    public void Shrinking_drops_whole_bundles_and_keeps_the_rest()
    {
        var scenario = ScenarioGenerator.Generate(42, ScenarioTarget.Everything("x86_64"));
        var first = ScenarioGenerator.Shrink(scenario).First();
        var kept = first.Steps().Select(s => s.Id).ToHashSet();
        var dropped = scenario.Steps().Where(s => !kept.Contains(s.Id)).ToList();
        Assert.That(dropped, Is.Not.Empty);
        // A bundle goes whole or not at all.
        foreach (var bundle in dropped.Where(s => s.Bundle != 0).Select(s => s.Bundle).Distinct())
            Assert.That(first.Steps().Where(s => s.Bundle == bundle), Is.Empty, $"bundle {bundle} was cut in half");
        // Repeated shrinking reaches a scenario with no spawned actor at all.
        var smallest = scenario;
        while (ScenarioGenerator.Shrink(smallest).FirstOrDefault() is { } smaller)
            smallest = smaller;
        Assert.That(smallest.Steps().Count(), Is.EqualTo(1), ScenarioGenerator.ToYaml(smallest, "x"));
        ParseAndCompile(smallest, "fuzz/scenarios/smallest", "x86_64");
    }

    [Test]
    public void Filters_render_to_bpf_asm_that_Linux_accepts_unless_flawed_on_purpose()
    {
        foreach (var arch in Arches)
            for (ulong seed = 1; seed <= 200; seed++)
                foreach (var filter in ScenarioGenerator.Generate(seed, ScenarioTarget.Everything(arch)).Filters)
                {
                    var program = Assembler.Assemble(filter.Render().Replace(".repeat 4096 ld [nr]\n", string.Concat(Enumerable.Repeat("ld [nr]\n", 4096))),
                        new AssembleOptions { Abi = arch == "x86_64" ? Abi.X86_64 : Abi.Aarch64 });
                    Assert.That(LoadedFilter.Load(program, KernelProfiles.Default).LinuxAccepts, Is.EqualTo(filter.Flaw is null), $"{filter.Name} of seed {seed}:\n{filter.Render()}");
                }
    }
}
