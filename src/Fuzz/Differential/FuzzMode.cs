namespace Conformance.Fuzzing;

/// <summary>What a fuzz run generates: filter stacks against inputs, multi-actor scenarios, or both.</summary>
public enum FuzzMode
{
    Verdicts,
    Scenarios,
    All,
}
