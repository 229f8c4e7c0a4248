using System.Text.RegularExpressions;

namespace Conformance.Catalogue.Reports;

/// <summary>
/// One line of a known-failures file: a case expected to fail or error, why, and optionally only
/// on one arch or on kernel releases matching a glob (so one file can serve a kernel series).
/// </summary>
public sealed record KnownFailure(string CaseId, string? Arch, string? Release, string Reason, string File, int Line)
{
    readonly Regex? _release = Release is null ? null : Glob(Release);

    /// <summary>"tests/known/host.known:7", for reports that send the reader to the line to edit.</summary>
    public string Where => $"{File}:{Line}";

    public bool AppliesTo(string arch, string release) =>
        (Arch is null || Arch == arch) && (_release is null || _release.IsMatch(release));

    /// <summary>A release glob: '*' any run of characters, '?' one character, the whole release matched.</summary>
    static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant);
}
