using Conformance.Executor.Features;

namespace Conformance.Harness.Verbs;

/// <summary>detect's readable form: one fact a line, the same facts as its JSON.</summary>
public static class DetectionTable
{
    public static string Render(string machine, KernelDetection d)
    {
        static string List(IReadOnlyList<string> items) => items.Count > 0 ? string.Join(" ", items) : "(none)";
        var rows = new (string, string)[]
        {
            ("machine", machine),
            ("release", d.Release),
            ("arch", d.Arch),
            ("mode 2 (filters)", d.Mode2Word),
            ("prctl(SET_SECCOMP, 2, NULL)", d.PrctlNull),
            ("seccomp(2) installs filters", d.SeccompSyscall ? "yes" : "no"),
            ("actions", List(d.ActionsAvail)),
            ("filter flags", List(d.Flags)),
            ("boot", d.BootMs is { } ms ? $"{ms} ms to agent ready" : "unknown"),
        }.Concat(d.Witnessed.Select(f => ($"witnesses of {f.Feature}", Witnesses(f)))).ToList();
        int width = rows.Max(r => r.Item1.Length);
        return string.Concat(rows.Select(r => $"{r.Item1.PadRight(width)}  {r.Item2}\n"));
    }

    /// <summary>Who saw the feature and who did not; a disagreement is said first, in full.</summary>
    static string Witnesses(FeatureWitnesses f)
    {
        string Group(Sighting s) => string.Join("; ", f.Witnesses.Where(w => w.Says == s).Select(w => $"{w.Name} ({w.Answer})"));
        var parts = new[] { Sighting.Present, Sighting.Absent, Sighting.Silent }
            .Where(s => f.Witnesses.Any(w => w.Says == s))
            .Select(s => $"{s.ToString().ToLowerInvariant()}: {Group(s)}");
        return (f.Disagreement is { } d ? "DISAGREE (counted present) - " : "") + string.Join(" | ", parts);
    }
}
