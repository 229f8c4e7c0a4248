namespace Conformance.Catalogue.Reports;

/// <summary>
/// A known-failures file (`run --known FILE`, docs/reports.md): one case a line,
/// <c>CASE-ID [arch=ARCH] [release=GLOB]: REASON</c>, with '#' lines as comments. Case ids and
/// kernel releases hold no ':', so the first ':' ends the selector. The first line that applies
/// to a case on a kernel wins.
/// </summary>
public sealed class KnownFailures
{
    /// <summary>The arches a line may be limited to: the ones `run` boots.</summary>
    public static readonly string[] Arches = ["x86_64", "aarch64"];

    public static readonly KnownFailures None = new([]);

    KnownFailures(IReadOnlyList<KnownFailure> entries) => Entries = entries;

    public IReadOnlyList<KnownFailure> Entries { get; }

    public KnownFailure? Find(string caseId, string arch, string release) =>
        Entries.FirstOrDefault(e => e.CaseId == caseId && e.AppliesTo(arch, release));

    public static KnownFailures Load(string path, IReadOnlySet<string> caseIds)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KnownFailuresFormatException(path, 0, $"cannot be read: {e.Message}");
        }
        return Parse(text, path, caseIds);
    }

    /// <summary>Every id must name a case of the catalogue being run: a typo or a renamed case would otherwise never match.</summary>
    public static KnownFailures Parse(string text, string file, IReadOnlySet<string> caseIds)
    {
        var entries = new List<KnownFailure>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var entry = ParseLine(line, file, i + 1);
            if (!caseIds.Contains(entry.CaseId))
                throw new KnownFailuresFormatException(file, i + 1, $"no case '{entry.CaseId}' in the catalogue");
            if (entries.FirstOrDefault(e => e.CaseId == entry.CaseId && e.Arch == entry.Arch && e.Release == entry.Release) is { } twin)
                throw new KnownFailuresFormatException(file, i + 1, $"'{entry.CaseId}' is already listed for the same kernels at line {twin.Line}");
            entries.Add(entry);
        }
        return new KnownFailures(entries);
    }

    static KnownFailure ParseLine(string line, string file, int number)
    {
        KnownFailuresFormatException Error(string problem) => new(file, number, problem);
        var colon = line.IndexOf(':');
        if (colon < 0)
            throw Error("expected 'CASE-ID [arch=ARCH] [release=GLOB]: REASON' (no ':' before a reason)");
        var reason = line[(colon + 1)..].Trim();
        if (reason.Length == 0)
            throw Error("a known failure needs a reason after the ':'");
        var words = line[..colon].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
            throw Error("no case id before the ':'");
        string? arch = null, release = null;
        foreach (var word in words.Skip(1))
        {
            if (word.StartsWith("arch=", StringComparison.Ordinal) && arch is null)
            {
                arch = word["arch=".Length..];
                if (!Arches.Contains(arch))
                    throw Error($"unknown arch '{arch}' (expected {string.Join(" or ", Arches)})");
            }
            else if (word.StartsWith("release=", StringComparison.Ordinal) && release is null)
            {
                release = word["release=".Length..];
                if (release.Length == 0)
                    throw Error("release= needs a pattern");
            }
            else
                throw Error($"unexpected '{word}' (expected one arch= and one release= at most)");
        }
        return new KnownFailure(words[0], arch, release, reason, file, number);
    }
}
