using System.Text.Json;
using System.Text.Json.Serialization;

namespace Conformance.Fuzzing.Findings;

/// <summary>
/// DIR/findings/ID/{case.yaml, finding.json}, one folder per bucket. A finding whose bucket is
/// already there (from this run, an earlier one or another shard) is a duplicate: it only counts.
/// Files are written to a temporary name and renamed, so a killed run never leaves half a finding.
/// </summary>
public sealed class FindingStore
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    readonly string _root;
    readonly HashSet<string> _known;

    public FindingStore(string outDir)
    {
        _root = Path.Combine(outDir, "findings");
        Directory.CreateDirectory(_root);
        _known = [.. Directory.EnumerateDirectories(_root).Select(Path.GetFileName).OfType<string>()];
    }

    public string Root => _root;

    public int New { get; private set; }

    public int Duplicates { get; private set; }

    public bool IsKnown(string id) => _known.Contains(id);

    /// <summary>Writes the finding; false when its bucket was known already.</summary>
    public bool Add(Finding finding)
    {
        if (!_known.Add(finding.Id))
        {
            Duplicates++;
            return false;
        }
        var dir = Path.Combine(_root, finding.Id);
        Directory.CreateDirectory(dir);
        Write(Path.Combine(dir, "case.yaml"), finding.CaseYaml);
        Write(Path.Combine(dir, "finding.json"), JsonSerializer.Serialize(finding, Json) + "\n");
        New++;
        return true;
    }

    static void Write(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }
}
