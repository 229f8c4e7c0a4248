namespace Conformance.Fuzzing;

/// <summary>The scenario fuzzer a campaign uses in modes `scenarios` and `all`.</summary>
public static class ScenarioSources
{
    public static Func<ScenarioContext, IIterationSource>? For(FuzzOptions options) =>
        options.Mode == FuzzMode.Verdicts ? null : ctx => new ScenarioFuzzer(ctx);
}
