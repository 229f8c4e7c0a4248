using Conformance.Catalogue.Cases;

namespace Conformance.Fuzzing;

/// <summary>
/// Random multi-actor case programs for the differential fuzzer (`conformance fuzz --mode
/// scenarios`, docs/fuzzing.md): threads and processes, exec (native and 32-bit), installs with
/// flags, no_new_privs, dropped privileges, ptrace and trace loops, notifications and their
/// answers, SIGSYS handling, and calls with generated arguments against random filters, written in
/// the catalogue's own step vocabulary so the real judge holds each step against the model. The
/// same seed and target always give the same scenario.
/// </summary>
public static class ScenarioGenerator
{
    /// <summary>A scenario for the target's arch and features, from the seed alone.</summary>
    public static Scenario Generate(ulong seed, ScenarioTarget target) => new ScenarioBuilder(seed, target).Build();

    /// <summary>The scenario as one catalogue case (docs/cases.md) with this id.</summary>
    public static string ToYaml(Scenario scenario, string caseId) => ScenarioYaml.ToYaml(scenario, caseId);

    /// <summary>The scenario as CaseLoader reads it (errors name `CASEID.yaml`, line and column).</summary>
    public static CaseDefinition ToCase(Scenario scenario, string caseId) =>
        CaseLoader.Parse(ToYaml(scenario, caseId), caseId.Replace('/', '_') + ".yaml").Single();

    /// <summary>Smaller valid scenarios, biggest cuts first (<see cref="ScenarioShrinker"/>).</summary>
    public static IEnumerable<Scenario> Shrink(Scenario scenario) => ScenarioShrinker.Shrink(scenario);
}
