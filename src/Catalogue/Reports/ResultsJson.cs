using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Executor.Features;
using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Run;

namespace Conformance.Catalogue.Reports;

/// <summary>
/// results.json: the kernel, every case with what was observed beside what was expected, and the
/// summary. Rewritten whole (to a temporary file, then renamed) after every case, so an
/// interrupted run always leaves a valid, partial file.
/// </summary>
public sealed class ResultsJson(string path) : IRunSink
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    readonly JsonObject _root = new() { ["kernel"] = null, ["cases"] = new JsonArray(), ["summary"] = null };
    readonly Dictionary<string, int> _counts = ResultsFile.Statuses.ToDictionary(s => s, _ => 0);

    public string Path { get; } = path;

    public void OnMachine(MachineReport m)
    {
        // The same words `detect` prints, so a results file and a detect line never disagree.
        var detected = KernelDetection.From(m.Features, m.Arch, m.BootTime).ToJson();
        var features = new JsonObject
        {
            ["mode2"] = detected["mode2"]!.DeepClone(),
            ["prctl_null"] = detected["prctl_null"]!.DeepClone(),
            ["seccomp_syscall"] = detected["seccomp_syscall"]!.DeepClone(),
            ["actions_avail"] = detected["actions_avail"]!.DeepClone(),
            ["flags"] = detected["flags"]!.DeepClone(),
            ["present"] = new JsonArray(m.Features.Present.Order().Select(f => (JsonNode)f).ToArray()),
            ["facts"] = new JsonObject(m.Features.Facts.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["witnesses"] = detected["witnesses"]!.DeepClone(),
            ["disagreements"] = detected["disagreements"]!.DeepClone(),
        };
        _root["kernel"] = new JsonObject
        {
            ["name"] = m.Name,
            ["backend"] = m.Backend,
            ["release"] = m.Release,
            ["version"] = m.Version,
            ["arch"] = m.Arch,
            ["profile"] = m.Profile.Name,
            ["boot_ms"] = m.BootTime is { } b ? (long)b.TotalMilliseconds : null,
            ["features"] = features,
            ["config"] = new JsonObject(m.KernelConfig.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        };
        Save();
    }

    public void OnCase(CaseReport r)
    {
        var status = Status(r.Verdict.Status);
        _counts[status]++;
        var entry = new JsonObject
        {
            ["id"] = r.Id,
            ["status"] = status,
            ["reason"] = r.Verdict.Reason,
            ["description"] = r.Description,
            ["file"] = r.File,
            ["duration_ms"] = Math.Round(r.Elapsed.TotalMilliseconds, 1),
            ["expected"] = r.Verdict.Expected,
            ["observed"] = r.Verdict.Observed,
            ["checks"] = new JsonArray(r.Verdict.Checks.Select(c => (JsonNode)new JsonObject
            {
                ["step"] = c.Step,
                ["where"] = c.Where,
                ["expected"] = c.Expected,
                ["observed"] = c.Observed,
                ["passed"] = c.Passed,
                ["from_model"] = c.FromModel,
                ["judged"] = c.Judged,
            }).ToArray()),
        };
        if (r.ConsoleExcerpt is { } excerpt)
            entry["console"] = excerpt;
        if (r.Case?.Fix is { } fix)
            entry["fix"] = new JsonObject
            {
                ["subject"] = fix.Subject, ["upstream"] = fix.Upstream, ["cve"] = fix.Cve, ["debian"] = fix.Debian,
                // A fixes case fails exactly when the kernel lacks its fix.
                ["lacking"] = r.Verdict.Status is CaseStatus.Fail or CaseStatus.Xfail,
            };
        if (r.Verdict.Known is { } known)
            entry["known"] = new JsonObject { ["reason"] = known.Reason, ["where"] = known.Where, ["judged"] = Status(known.Judged) };
        ((JsonArray)_root["cases"]!).Add(entry);
        _root["summary"] = Summary(complete: false, elapsed: null);
        Save();
    }

    public void OnConsole(string text) { }

    public void OnFinished(RunSummary summary)
    {
        _root["summary"] = Summary(complete: true, elapsed: summary.Elapsed);
        Save();
    }

    JsonObject Summary(bool complete, TimeSpan? elapsed) => new()
    {
        ["pass"] = _counts["pass"], ["fail"] = _counts["fail"], ["xfail"] = _counts["xfail"], ["xpass"] = _counts["xpass"],
        ["skip"] = _counts["skip"], ["error"] = _counts["error"],
        ["total"] = _counts.Values.Sum(),
        ["complete"] = complete,
        ["elapsed_s"] = elapsed is { } e ? Math.Round(e.TotalSeconds, 1) : null,
    };

    public static string Status(CaseStatus s) => s switch
    {
        CaseStatus.Pass => "pass", CaseStatus.Fail => "fail", CaseStatus.Skip => "skip", CaseStatus.Xfail => "xfail",
        CaseStatus.Xpass => "xpass", _ => "error",
    };

    void Save()
    {
        var tmp = Path + ".tmp";
        File.WriteAllText(tmp, _root.ToJsonString(Options));
        File.Move(tmp, Path, overwrite: true);
    }
}
