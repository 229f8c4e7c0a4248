using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Seccomp;

namespace Conformance.Executor.Features;

/// <summary>
/// What `conformance detect` says about a kernel, and what results.json repeats under
/// kernel.features, so the two never disagree. Everything comes from the feature probe's answers,
/// never from the version string.
/// </summary>
/// <param name="PrctlNull">prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL)'s errno name: EFAULT with mode 2, EINVAL without.</param>
/// <param name="SeccompSyscall">seccomp(SECCOMP_SET_MODE_FILTER, 0, NULL) gives EFAULT: filters can be installed through seccomp(2).
/// A kernel with CONFIG_SECCOMP but not CONFIG_SECCOMP_FILTER has the system call yet answers EINVAL, so this is false there.</param>
/// <param name="ActionsAvail">Actions a filter may return. Empty without mode 2: SECCOMP_GET_ACTION_AVAIL is compiled
/// outside SECCOMP_FILTER and says yes to every action on a kernel that cannot install a filter at all; its raw
/// answer stays in <see cref="KernelFeatures.Facts"/>.</param>
/// <param name="Flags">Filter flags the kernel knows: seccomp(SET_MODE_FILTER, flag, NULL) gives EFAULT, not EINVAL.</param>
/// <param name="BootMs">Milliseconds from machine start (QEMU launch, or the host agent's spawn) to the agent's HELO.</param>
public sealed record KernelDetection(
    string Release, string Arch, bool Mode2, string PrctlNull, bool SeccompSyscall,
    IReadOnlyList<string> ActionsAvail, IReadOnlyList<string> Flags, long? BootMs)
{
    public static KernelDetection From(KernelFeatures features, string arch, TimeSpan? bootTime) => new(
        features.Release,
        arch,
        features.Mode2,
        Errnos.Name(features.PrctlNullErrno),
        features.Has("seccomp_syscall"),
        FeatureNames.Actions.Where(a => features.Has("action:" + a)).ToList(),
        features.FilterFlags.ToList(),
        bootTime is { } b ? (long)b.TotalMilliseconds : null) { Witnessed = features.Witnessed };

    /// <summary>Every witness of each feature they decide, and so the disagreements among them.</summary>
    public IReadOnlyList<FeatureWitnesses> Witnessed { get; init; } = [];

    public string Mode2Word => Mode2 ? "supported" : "unsupported";

    /// <summary>The fields in the documented order; the JSON names are part of the CLI's contract.</summary>
    public JsonObject ToJson() => new()
    {
        ["release"] = Release,
        ["arch"] = Arch,
        ["mode2"] = Mode2Word,
        ["prctl_null"] = PrctlNull,
        ["seccomp_syscall"] = SeccompSyscall,
        ["actions_avail"] = new JsonArray(ActionsAvail.Select(a => (JsonNode)a).ToArray()),
        ["flags"] = new JsonArray(Flags.Select(f => (JsonNode)f).ToArray()),
        ["boot_ms"] = BootMs,
        ["witnesses"] = WitnessesJson(),
        ["disagreements"] = new JsonArray(Witnessed.Select(w => w.Disagreement).OfType<WitnessDisagreement>()
            .Select(d => (JsonNode)new JsonObject { ["feature"] = d.Feature, ["present"] = d.Saw.Name, ["absent"] = d.Missed.Name, ["reason"] = d.Reason })
            .ToArray()),
    };

    /// <summary>{feature: [{witness, answer, says}]}, says being present, absent or silent.</summary>
    public JsonObject WitnessesJson() => new(Witnessed.Select(f => KeyValuePair.Create(f.Feature, (JsonNode?)new JsonArray(
        f.Witnesses.Select(w => (JsonNode)new JsonObject
        {
            ["witness"] = w.Name,
            ["answer"] = w.Answer,
            ["says"] = w.Says.ToString().ToLowerInvariant(),
        }).ToArray()))));

    static readonly JsonSerializerOptions OneLine = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One JSON object on one line, for scripts that read detect's stdout.</summary>
    public string ToJsonLine() => ToJson().ToJsonString(OneLine);
}
