using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Fuzzing;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Text;

namespace Conformance.Tests.Fuzz.Scenarios;

/// <summary>
/// The scenario generator and the kernel's action cache (docs/fuzzing.md): on a kernel with the
/// seccomp_cache listing (feature `cache_debug`) actors read their own listing with `expect: {cache:
/// model}`; without the feature (or without root) the same seed gives the same scenario with no read;
/// such cases parse, compile and write back; filters carry shapes for the kernel's cache emulator that
/// never change a verdict; and a failing read survives shrinking.
/// </summary>
public class ScenarioCacheTests
{
    const int Seeds = 300;

    static readonly string[] Arches = ["x86_64", "aarch64"];

    static ScenarioTarget With(string arch) => ScenarioTarget.Everything(arch);

    static ScenarioTarget Without(string arch, string feature) =>
        new(arch, ScenarioTarget.Everything(arch).Features.Where(f => f != feature));

    /// <summary>Each read with whether its actor is a thread and whether it runs in an exec'd image.</summary>
    static IEnumerable<(ScCacheRead Read, bool InThread, bool InExec)> Reads(IEnumerable<ScenarioStep> steps, bool inThread = false, bool inExec = false)
    {
        foreach (var s in steps)
        {
            if (s is ScCacheRead r)
                yield return (r, inThread, inExec);
            bool thread = s is ScThread ? true : s is ScFork ? false : inThread;
            foreach (var inner in Reads(s.Body, thread, inExec || s is ScExec))
                yield return inner;
        }
    }

    [TestCaseSource(nameof(Arches))]
    public void With_cache_debug_actors_read_their_own_listing_against_the_model(string arch)
    {
        var target = With(arch);
        int scenariosWithReads = 0, inThreads = 0, inExec = 0, processFile = 0, threadFile = 0;
        for (ulong seed = 1; seed <= Seeds; seed++)
        {
            var scenario = ScenarioGenerator.Generate(seed, target);
            var reads = Reads(scenario.Root).ToList();
            var yaml = ScenarioGenerator.ToYaml(scenario, $"fuzz/cache/s{seed}");
            Assert.That(ScenarioChecker.Problems(scenario), Is.Empty, $"seed {seed}");
            Assert.That(reads, Has.Count.LessThanOrEqualTo(6), $"seed {seed}: too many reads");
            if (reads.Count == 0)
                continue;
            scenariosWithReads++;
            Assert.That(ScenarioYaml.Needs(scenario), Does.Contain("cache_debug").And.Contain("root"), $"seed {seed}");
            foreach (var (read, thread, exec) in reads)
            {
                if (thread)
                    Assert.That(read.Path, Is.EqualTo(ScCacheRead.ThreadFile), $"seed {seed}: a thread reads its own listing");
                inThreads += thread ? 1 : 0;
                inExec += exec ? 1 : 0;
                processFile += read.Path == ScCacheRead.ProcessFile ? 1 : 0;
                threadFile += read.Path == ScCacheRead.ThreadFile ? 1 : 0;
            }

            // As the catalogue reads it: a read of the listing with max 32768 and `cache: model`, nothing else.
            var definition = CaseLoader.Parse(yaml, "scenario.yaml").Single();
            var compiled = CaseCompiler.Compile(definition, arch);
            var parsed = compiled.Steps.Values.Select(s => s.Step).OfType<ReadStep>().ToList();
            Assert.That(parsed, Has.Count.EqualTo(reads.Count), $"seed {seed}");
            foreach (var r in parsed)
            {
                Assert.That(r.Path, Is.AnyOf(CacheMatch.ProcessFile, CacheMatch.ThreadFile));
                Assert.That(r.MaxLength, Is.EqualTo(32768u));
                Assert.That(r.Expect!.Alternatives, Has.Count.EqualTo(1), "no observed fallback: where the model cannot say, the case errs");
                Assert.That(r.Expect.Alternatives[0].Matcher?.Cache, Is.Not.Null.And.Property(nameof(CacheMatch.Expected)).Null);
            }
            // Every read comes where the actor may have a filter: after an install somewhere before it.
            Assert.That(yaml.IndexOf("install:", StringComparison.Ordinal), Is.LessThan(yaml.IndexOf("seccomp_cache", StringComparison.Ordinal)), $"seed {seed}");
        }
        TestContext.Out.WriteLine($"{scenariosWithReads} of {Seeds} scenarios read a listing: {processFile} /proc/self, {threadFile} /proc/thread-self, {inThreads} in threads, {inExec} after exec");
        Assert.That(scenariosWithReads, Is.GreaterThan(Seeds / 2));
        Assert.That(inThreads, Is.GreaterThan(10), "threads read their own listing");
        Assert.That(inExec, Is.GreaterThan(5), "exec'd images (the 32-bit helper too) read theirs");
        Assert.That(processFile, Is.GreaterThan(10));
    }

    [TestCaseSource(nameof(Arches))]
    public void Without_cache_debug_or_root_nothing_is_read_and_the_scenario_is_the_same_but_for_the_reads(string arch)
    {
        for (ulong seed = 1; seed <= Seeds; seed++)
        {
            var id = $"fuzz/cache/s{seed}";
            var plain = ScenarioGenerator.Generate(seed, Without(arch, "cache_debug"));
            var yaml = ScenarioGenerator.ToYaml(plain, id);
            Assert.That(plain.Steps().OfType<ScCacheRead>(), Is.Empty, $"seed {seed}");
            Assert.That(yaml, Does.Not.Contain("seccomp_cache").And.Not.Contain("cache_debug"), $"seed {seed}");
            Assert.That(ScenarioGenerator.Generate(seed, Without(arch, "root")).Steps().OfType<ScCacheRead>(), Is.Empty, $"seed {seed} without root");

            // The reads have their own draws and change no actor's state: the rest is the same scenario.
            var withReads = ScenarioGenerator.Generate(seed, With(arch));
            var stripped = ScenarioShrinker.Without(withReads, withReads.Steps().OfType<ScCacheRead>().Select(r => r.Id));
            Assert.That(ScenarioGenerator.ToYaml(stripped, id), Is.EqualTo(yaml), $"seed {seed}");
        }
    }

    [TestCaseSource(nameof(Arches))]
    public void Scenarios_with_reads_write_back_to_the_same_programs(string arch)
    {
        int written = 0;
        for (ulong seed = 1; seed <= 100; seed++)
        {
            var scenario = ScenarioGenerator.Generate(seed, With(arch));
            if (!scenario.Steps().OfType<ScCacheRead>().Any())
                continue;
            var original = ScenarioGenerator.ToCase(scenario, $"fuzz/cache/s{seed}");
            var yaml = CaseWriter.Write(original);
            Assert.That(yaml, Does.Contain("cache: model"));
            var back = CaseLoader.Parse(yaml, "written.yaml").Single();
            Assert.That(CaseCompiler.Compile(back, arch).Program, Is.EqualTo(CaseCompiler.Compile(original, arch).Program), $"seed {seed}:\n{yaml}");
            Assert.That(CaseWriter.Write(back), Is.EqualTo(yaml), $"seed {seed}: writing is stable");
            written++;
        }
        Assert.That(written, Is.GreaterThan(20));
    }

    static Instruction[] Assemble(FilterSpec filter, Abi abi) => Assembler.Assemble(filter.Render(), new AssembleOptions { Abi = abi });

    static IEnumerable<SeccompData> Inputs(Abi native, Abi compat, Random random)
    {
        foreach (var abi in new[] { native, compat })
            for (int nr = 0; nr < 4096; nr += nr < 480 ? 1 : 37)
                yield return new SeccompData(nr, AuditArch.Of(abi), (ulong)random.NextInt64(), (ulong)random.NextInt64(), (ulong)random.Next(4), 0x7fffffff, ulong.MaxValue, 0, (ulong)random.NextInt64());
        for (int i = 0; i < 200; i++)
            yield return new SeccompData(random.Next(5000), (uint)random.NextInt64(0, uint.MaxValue), (ulong)random.NextInt64(), (ulong)random.NextInt64());
    }

    /// <summary>
    /// A detour only sends numbers through instructions the emulator gives up on, then on to the
    /// dispatch: the filter returns the same with and without its detours, for every number, arch and
    /// argument. And the shapes do reach the emulator's every branch: detours that take numbers out of
    /// the cache, `ja` that keeps them in, jset, and on nr and arch, ALLOW with data, bodies that cache
    /// some numbers of a rule and not others.
    /// </summary>
    [Test]
    public void Detours_change_no_verdict_and_the_shapes_exercise_the_cache_emulator()
    {
        var random = new Random(7);
        var profile = KernelProfiles.Default;
        int withDetours = 0, uncachedByDetours = 0, followable = 0, skips = 0, allowData = 0, nrOnlyBodies = 0, partlyCachedRules = 0;
        var ops = new HashSet<string>();
        foreach (var arch in Arches)
        {
            var target = With(arch);
            for (ulong seed = 1; seed <= 150; seed++)
                foreach (var filter in ScenarioGenerator.Generate(seed, target).Filters.Where(f => f.Flaw is null))
                {
                    var bare = filter with { Detours = [] };
                    var program = Assemble(filter, target.NativeAbi);
                    var runner = LoadedFilter.Load(program, profile).Runner!;
                    var bareRunner = LoadedFilter.Load(Assemble(bare, target.NativeAbi), profile).Runner!;
                    foreach (var data in Inputs(target.NativeAbi, target.CompatAbi, random))
                        Assert.That(runner.Run(data), Is.EqualTo(bareRunner.Run(data)), $"{filter.Name} of seed {seed} on {arch}, nr {data.Nr} arch 0x{data.Arch:x}:\n{filter.Render()}");

                    foreach (var insn in program)
                        ops.Add(Mnemonic(insn.Code));
                    var native = AuditArch.Of(target.NativeAbi);
                    var cached = ActionCache.Bitmap([program], native, 460, profile);
                    if (filter.Detours.Count > 0)
                    {
                        withDetours++;
                        var bareCached = ActionCache.Bitmap([Assemble(bare, target.NativeAbi)], native, 460, profile);
                        if (Enumerable.Range(0, 460).Count(nr => bareCached[nr] && !cached[nr]) > 10) uncachedByDetours++;
                        if (filter.Detours.Any(d => d.Followable)) followable++;
                    }
                    foreach (var rule in filter.Rules)
                    {
                        var leaves = Nodes(rule.Body).ToList();
                        skips += leaves.Count(n => n is FilterSkip);
                        allowData += leaves.OfType<FilterLeaf>().Count(l => l.Action.Action == SeccompAction.Allow && l.Action.Data != 0);
                        if (leaves.OfType<FilterTest>().Any() && leaves.OfType<FilterTest>().All(t => t.Prelude.All(p => p is "ld [nr]" or "ld [arch]" || p.StartsWith("and #", StringComparison.Ordinal))))
                            nrOnlyBodies++;
                        if (rule.Abi == target.NativeAbi && rule.Numbers.Count == 2 && rule.Numbers.All(n => n < 460) && cached[rule.Numbers[0]] != cached[rule.Numbers[1]])
                            partlyCachedRules++;
                    }
                }
        }
        TestContext.Out.WriteLine($"{withDetours} filters with detours, {uncachedByDetours} of them taking more than 10 numbers out of the cache, {followable} with a ja the emulator follows; " +
            $"{skips} ja in bodies, {allowData} ALLOW-with-data leaves, {nrOnlyBodies} bodies on nr/arch alone, {partlyCachedRules} two-number rules with one number cached; ops: {string.Join(" ", ops.Order())}");
        Assert.Multiple(() =>
        {
            Assert.That(uncachedByDetours, Is.GreaterThan(withDetours / 4), "detours take ranges of numbers out of the cache");
            Assert.That(followable, Is.GreaterThan(10));
            Assert.That(skips, Is.GreaterThan(10));
            Assert.That(allowData, Is.GreaterThan(10));
            Assert.That(nrOnlyBodies, Is.GreaterThan(50));
            Assert.That(partlyCachedRules, Is.GreaterThan(5));
            Assert.That(new[] { "jset", "ja", "and", "jge", "jgt", "jeq", "ld", "ldx", "st", "stx", "tax", "txa", "add", "neg", "ret" }.Except(ops), Is.Empty);
        });
    }

    /// <summary>The bpf_asm mnemonic of an opcode (its class and operation; the operand aside).</summary>
    static string Mnemonic(ushort code) => (code & 0x07) switch
    {
        0 => "ld",
        1 => "ldx",
        2 => "st",
        3 => "stx",
        4 => (code & 0xf0) switch
        {
            0x00 => "add", 0x10 => "sub", 0x20 => "mul", 0x30 => "div", 0x40 => "or", 0x50 => "and",
            0x60 => "lsh", 0x70 => "rsh", 0x80 => "neg", 0xa0 => "xor", _ => "alu?",
        },
        5 => (code & 0xf0) switch { 0x00 => "ja", 0x10 => "jeq", 0x20 => "jgt", 0x30 => "jge", 0x40 => "jset", _ => "jmp?" },
        6 => "ret",
        _ => (code & 0xf8) == 0x80 ? "txa" : "tax",
    };

    static IEnumerable<FilterNode> Nodes(FilterNode node) => node switch
    {
        FilterTest t => Nodes(t.True).Concat(Nodes(t.False)).Prepend(t),
        FilterSkip k => Nodes(k.Next).Prepend(k),
        _ => [node],
    };

    /// <summary>
    /// What the fuzzer's shrinking does with a failing read: keep the first candidate that still
    /// fails the same way, here "a read whose actor has a filter with a detour". The read that fails,
    /// the install before it and that one detour are what is left: the read comes out of the episode,
    /// protocol or exec it sat in with the installs behind its actor's chain, made by the case root.
    /// </summary>
    [Test]
    public void Shrinking_a_cache_failure_keeps_the_read_and_the_filter_that_trips_it()
    {
        int shrunk = 0;
        for (ulong seed = 1; seed <= 80 && shrunk < 10; seed++)
        {
            var original = ScenarioGenerator.Generate(seed, With("x86_64"));
            if (!Fails(original))
                continue;
            var scenario = original;
            while (ScenarioGenerator.Shrink(scenario).FirstOrDefault(Fails) is { } smaller)
                scenario = smaller;
            var yaml = ScenarioGenerator.ToYaml(scenario, "fuzz/cache/shrunk");
            Assert.That(scenario.Steps().OfType<ScCacheRead>().Count(), Is.EqualTo(1), yaml);
            Assert.That(scenario.Filters.Where(f => f.Detours.Count > 0).Sum(f => f.Detours.Count), Is.EqualTo(1), yaml);
            Assert.That(scenario.Root.Select(x => x.Keyword), Is.EqualTo(new[] { "install", "read" }), yaml);
            Assert.That(ScenarioChecker.Problems(scenario), Is.Empty, yaml);
            CaseCompiler.Compile(CaseLoader.Parse(yaml, "shrunk.yaml").Single(), "x86_64");
            if (shrunk++ == 0)
                TestContext.Out.WriteLine($"seed {seed}, {original.Steps().Count()} steps, shrinks to\n{yaml}");
        }
        Assert.That(shrunk, Is.EqualTo(10));
    }

    /// <summary>Stands in for the kernel: some read's actor has attached a filter with a detour.</summary>
    static bool Fails(Scenario s)
    {
        bool Walk(IEnumerable<ScenarioStep> steps, HashSet<string> attached)
        {
            foreach (var step in steps)
            {
                if (step is ScInstall i && s.Filter(i.Filter) is { Flaw: null, Detours.Count: > 0 } && i.Fprog is null)
                    attached.Add(i.Filter);
                if (step is ScCacheRead && attached.Count > 0)
                    return true;
                // A thread or child starts with what its creator has; an exec'd image keeps it.
                if (step.Body.Count > 0 && Walk(step.Body, step is ScExec ? attached : [.. attached]))
                    return true;
            }
            return false;
        }
        return Walk(s.Root, []);
    }

    [Test]
    public void The_checker_refuses_reads_the_judge_cannot_hold_against_the_model()
    {
        ScenarioStep Id(ScenarioStep s, int id) => s with { Id = id };
        var fromThread = new Scenario("x86_64", 1, [],
            [Id(new ScThread([Id(new ScCacheRead(ScCacheRead.ProcessFile), 2)], "t"), 1), Id(new ScJoin("t"), 3)]);
        Assert.That(ScenarioChecker.Problems(fromThread), Has.Exactly(1).Matches<string>(p => p.Contains(ScCacheRead.ThreadFile)));
        var ownInThread = fromThread with { Root = [Id(new ScThread([Id(new ScCacheRead(ScCacheRead.ThreadFile), 2)], "t"), 1), Id(new ScJoin("t"), 3)] };
        Assert.That(ScenarioChecker.Problems(ownInThread), Is.Empty);
        var afterDrop = new Scenario("x86_64", 1, [], [Id(new ScDropCaps(["SYS_ADMIN"]), 1), Id(new ScCacheRead(ScCacheRead.ThreadFile), 2)]);
        Assert.That(ScenarioChecker.Problems(afterDrop), Has.Exactly(1).Matches<string>(p => p.Contains("CAP_SYS_ADMIN")));
    }

    [Test]
    public void A_departing_listing_is_a_finding_about_the_action_cache_whichever_file_was_read()
    {
        // The judge's checks: the step's keyword and, for a `cache:` check, how the listing departed.
        CaseVerdict Failed(string step, string observed, CacheDeparture? cache) => new("fuzz/x", CaseStatus.Fail, "", [
            new Check("call getpid", "a:1:1", "ret pid", "ret 7", true, true) { Keyword = "call" },
            new Check(step, "a:2:1", "cache: model (the model)", observed, false, true) { Keyword = step.Split(' ')[0], Cache = cache },
        ]);
        const string KernelMore = "read 15200 bytes: x86_64: 400 of 451 numbers cached; the kernel caches 1 the model does not: 39 getpid; ia32: 451 of 451 numbers cached, as the model says";
        Assert.That(ScenarioFuzzer.Signature(Failed("read /proc/self/seccomp_cache", KernelMore, CacheDeparture.KernelCachesMore)),
            Is.EqualTo("seccomp_cache against the model's action cache: the kernel caches numbers the model does not"));
        Assert.That(ScenarioFuzzer.Signature(Failed("read /proc/thread-self/seccomp_cache", KernelMore, CacheDeparture.KernelCachesMore)),
            Is.EqualTo(ScenarioFuzzer.Signature(Failed("read /proc/self/seccomp_cache", KernelMore, CacheDeparture.KernelCachesMore))), "both files, one finding");
        Assert.That(ScenarioFuzzer.Signature(Failed("read /proc/self/seccomp_cache", "read 15200 bytes: x86_64: 2 of 451 numbers cached; the model caches 3 the kernel does not: 1, 2, 3", CacheDeparture.ModelCachesMore)),
            Does.EndWith("the model caches numbers the kernel does not"));
        Assert.That(ScenarioFuzzer.Signature(Failed("read /proc/self/seccomp_cache", "the read failed (EACCES)", CacheDeparture.None)), Does.EndWith("the listing is not the model's"));
        Assert.That(ScenarioFuzzer.Signature(Failed("call getppid", "ret 5", null)), Is.EqualTo("call against the model"));
    }
}
