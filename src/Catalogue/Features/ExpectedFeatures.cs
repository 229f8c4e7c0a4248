using Conformance.Executor.Features;

namespace Conformance.Catalogue.Features;

/// <summary>
/// `--expect-features`: the features a backport must have, so their absence fails cases instead of
/// skipping them. Items are comma-separated feature names or `@FILE`, a feature profile file kept
/// beside a kernel (names separated by commas or lines, `#` starts a comment). A name the catalogue
/// does not know is an error: a typo would otherwise silently expect nothing.
/// </summary>
public static class ExpectedFeatures
{
    public static IReadOnlySet<string> Parse(string? list, Func<string, string> readFile)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in Split(list ?? ""))
        {
            if (!item.StartsWith('@'))
            {
                names.Add(Known(item, "--expect-features"));
                continue;
            }
            var path = item[1..];
            string text;
            try
            {
                text = readFile(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new FormatException($"{path}: cannot read the feature profile: {e.Message}");
            }
            var lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                int hash = line.IndexOf('#');
                if (hash >= 0) line = line[..hash];
                foreach (var name in Split(line))
                    names.Add(Known(name, $"{path}:{i + 1}"));
            }
        }
        return names;
    }

    static IEnumerable<string> Split(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    static string Known(string name, string where) => FeatureNames.IsKnown(name)
        ? name
        : throw new FormatException($"{where}: unknown feature '{name}' (known: {FeatureNames.Describe()})");
}
