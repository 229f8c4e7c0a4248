namespace Conformance.Fuzzing.Findings;

/// <summary>What kind of discrepancy a finding is.</summary>
public enum FindingKind
{
    /// <summary>An install returned what the model does not predict.</summary>
    Install,
    /// <summary>A system call under an attached stack did what the model does not predict.</summary>
    Verdict,
    /// <summary>A scenario step was judged failed.</summary>
    Scenario,
    /// <summary>The guest panicked, oopsed, warned or hung while fuzzing.</summary>
    Crash,
}

/// <summary>
/// One confirmed, minimized discrepancy. <see cref="Bucket"/> groups duplicates: two findings with
/// the same bucket are the same bug as far as the fuzzer can tell. <see cref="CaseYaml"/> is a
/// catalogue case that replays it (`run --cases`).
/// </summary>
public sealed record Finding(
    FindingKind Kind,
    string Bucket,
    string Title,
    string Observed,
    string Expected,
    string CaseYaml)
{
    public ulong Seed { get; init; }
    public string Arch { get; init; } = "";
    public string Kernel { get; init; } = "";
    public string Profile { get; init; } = "";
    /// <summary>net.core.bpf_jit_enable while it was found and minimized ("on", "off"), or null when the run left it alone.</summary>
    public string? Jit { get; init; }
    /// <summary>The stack's last filter had a listener that answered its notifications (a verdict finding made with FUZZ's LISTENER flag).</summary>
    public bool Listener { get; init; }
    /// <summary>The stack's calls had a seccomp tracer that resumed every stop unchanged (a verdict finding made with FUZZ's TRACER flag).</summary>
    public bool Tracer { get; init; }
    public IReadOnlyList<string> MinimizationLog { get; init; } = [];
    public string? ConsoleExcerpt { get; init; }
    /// <summary>Why the case may not reproduce the finding exactly (a call site the catalogue cannot place), or null.</summary>
    public string? ReplayNote { get; init; }

    /// <summary>A short stable name for the bucket: the folder the finding is written to.</summary>
    public string Id => IdOf(Kind, Bucket);

    public static string IdOf(FindingKind kind, string bucket) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{kind}:{bucket}")))[..12];
}
