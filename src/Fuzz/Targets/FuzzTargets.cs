namespace Conformance.Fuzz.Targets;

/// <summary>Every target, by name.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<IFuzzTarget> All { get; } =
    [
        new AssemblerTarget(),
        new FilterFormatsTarget(),
        new CaseLoaderTarget(),
        new CheckerTarget(),
        new InterpreterTarget(),
    ];

    public static IFuzzTarget? ByName(string name) => All.FirstOrDefault(t => t.Name == name);
}
