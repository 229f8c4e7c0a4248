using System.Text.Json;

namespace Conformance.Catalogue.Reports;

/// <summary>A results.json that could not be read, naming the file and what is wrong with it.</summary>
public sealed class ResultsFormatException(string path, string problem) : Exception($"{path}: {problem}")
{
    public string FilePath { get; } = path;
}

/// <summary>
/// One case's outcome as a results.json records it. Judged is the judge's status: the same as
/// Status except for xfail and xpass, where it is what the kernel did before the known list applied.
/// </summary>
public sealed record CaseOutcome(string Id, string Status, string Reason, string Judged)
{
    /// <summary>The known-failures reason, for xfail and xpass.</summary>
    public string Known { get; init; } = "";
}

/// <summary>
/// A results.json read back (by `diff`): the kernel it ran on and every case's status, in file order.
/// Only what a comparison needs is read; everything else in the file is left alone.
/// </summary>
public sealed record ResultsFile(string Path, string Machine, string Release, string Arch, string Profile, bool Complete, IReadOnlyList<CaseOutcome> Cases)
{
    public static readonly string[] Statuses = ["pass", "fail", "xfail", "xpass", "skip", "error"];

    /// <summary>What the judge can say before a known-failures list applies.</summary>
    static readonly string[] JudgedStatuses = ["pass", "fail", "skip", "error"];

    /// <summary>"x86_64 6.1.0-26-cloud-amd64", or the file's folder when the run never reached its machine.</summary>
    public string Label => Release.Length > 0 ? $"{Arch} {Release}" : System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(Path)) ?? Path;

    public int Count(string status) => Cases.Count(c => c.Status == status);

    /// <summary>
    /// The results a path names: a results.json file, a result folder holding one, or a folder of
    /// kernel folders (what `run` writes for several kernels) each holding one.
    /// </summary>
    public static IReadOnlyList<ResultsFile> Locate(string path)
    {
        if (File.Exists(path))
            return [Read(path)];
        if (!Directory.Exists(path))
            throw new ResultsFormatException(path, "no such file or folder");
        var own = System.IO.Path.Combine(path, "results.json");
        if (File.Exists(own))
            return [Read(own)];
        var nested = Directory.EnumerateDirectories(path).Order(StringComparer.Ordinal)
            .Select(d => System.IO.Path.Combine(d, "results.json")).Where(File.Exists).ToList();
        return nested.Count > 0
            ? nested.Select(Read).ToList()
            : throw new ResultsFormatException(path, "holds no results.json, neither itself nor in a kernel folder under it");
    }

    public static ResultsFile Read(string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new ResultsFormatException(path, $"not valid JSON (line {e.LineNumber + 1}): {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ResultsFormatException(path, $"cannot be read: {e.Message}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("cases", out var cases) || cases.ValueKind != JsonValueKind.Array)
                throw new ResultsFormatException(path, "not a results.json: it has no \"cases\" array");
            string Text(JsonElement e, string name) =>
                e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            var kernel = root.TryGetProperty("kernel", out var k) ? k : default;
            bool complete = root.TryGetProperty("summary", out var s) && s.ValueKind == JsonValueKind.Object
                && s.TryGetProperty("complete", out var c) && c.ValueKind == JsonValueKind.True;

            var outcomes = new List<CaseOutcome>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int index = 0;
            foreach (var entry in cases.EnumerateArray())
            {
                index++;
                var id = Text(entry, "id");
                var status = Text(entry, "status");
                if (id.Length == 0)
                    throw new ResultsFormatException(path, $"case {index} has no id");
                if (!Statuses.Contains(status))
                    throw new ResultsFormatException(path, $"case {id} has status '{status}' (expected {string.Join(", ", Statuses)})");
                if (!seen.Add(id))
                    throw new ResultsFormatException(path, $"case {id} appears twice");
                var known = entry.TryGetProperty("known", out var kn) ? kn : default;
                var judged = status is "xfail" or "xpass" ? Text(known, "judged") : status;
                if (!JudgedStatuses.Contains(judged))
                    throw new ResultsFormatException(path, $"case {id} is {status} but its known.judged is '{judged}' (expected {string.Join(", ", JudgedStatuses)})");
                outcomes.Add(new CaseOutcome(id, status, Text(entry, "reason"), judged) { Known = Text(known, "reason") });
            }
            return new ResultsFile(path, Text(kernel, "name"), Text(kernel, "release"), Text(kernel, "arch"), Text(kernel, "profile"), complete, outcomes);
        }
    }
}
