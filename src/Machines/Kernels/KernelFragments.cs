using System.Reflection;

namespace Conformance.Machines.Kernels;

/// <summary>
/// The config fragments that ship with the harness (src/Machines/Kernels/fragments, embedded in this
/// assembly) and the lookup of user fragments: a path to a file, or the name of a built-in one.
/// </summary>
public static class KernelFragments
{
    const string ResourcePrefix = "fragments/";

    /// <summary>Built-in fragment names a user may pass to `kernels build --fragment`.</summary>
    public static IReadOnlyList<string> BuiltInNames =>
        ResourceNames().Where(n => !n.StartsWith("arch/", StringComparison.Ordinal) && !n.StartsWith("series/", StringComparison.Ordinal) && n != "base")
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>base.config: applied to every build first.</summary>
    public static KernelConfig Base => BuiltIn("base");

    /// <summary>arch/&lt;arch&gt;.config: applied right after base.config.</summary>
    public static KernelConfig ForArch(KernelArch arch) => BuiltIn("arch/" + arch.Name());

    /// <summary>
    /// series/&lt;series&gt;.config, when the series has one: applied after the user's fragments, for
    /// what that kernel line cannot have (options newer than it).
    /// </summary>
    public static KernelConfig? ForSeries(DebianKernelSeries series) =>
        ResourceNames().Contains("series/" + series.Name) ? BuiltIn("series/" + series.Name) : null;

    /// <summary>
    /// A user fragment: an existing file wins; otherwise a built-in name such as "seccomp" or
    /// "no-seccomp-filter.config".
    /// </summary>
    public static KernelConfig Resolve(string pathOrName)
    {
        if (File.Exists(pathOrName))
            return KernelConfig.Load(Path.GetFullPath(pathOrName));
        var name = Path.GetFileName(pathOrName);
        if (name.EndsWith(".config", StringComparison.Ordinal))
            name = name[..^".config".Length];
        if (ResourceNames().Contains(name))
            return BuiltIn(name);
        throw new KernelConfigException(
            $"{pathOrName}: no such fragment file, and not a built-in fragment ({string.Join(", ", BuiltInNames)})");
    }

    public static KernelConfig BuiltIn(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + name + ".config")
            ?? throw new KernelConfigException($"built-in fragment '{name}' is missing from the harness assembly");
        using var reader = new StreamReader(stream);
        return KernelConfig.Parse(reader.ReadToEnd(), $"{name}.config (built-in)");
    }

    static IEnumerable<string> ResourceNames() =>
        Assembly.GetExecutingAssembly().GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".config", StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..^".config".Length].Replace('\\', '/'));
}
