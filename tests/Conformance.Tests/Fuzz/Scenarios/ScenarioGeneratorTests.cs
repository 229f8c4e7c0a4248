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

    [Test]
    public void Print_one()
    {
        var s = ScenarioGenerator.Generate(7, ScenarioTarget.Everything("x86_64"));
        TestContext.Out.WriteLine(ScenarioGenerator.ToYaml(s, "fuzz/scenarios/s7"));
    }
}
