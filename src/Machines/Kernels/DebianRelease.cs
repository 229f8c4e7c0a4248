namespace Conformance.Machines.Kernels;

/// <summary>One apt source line: an archive and the suite in it.</summary>
public sealed record AptSuite(string Uri, string Suite);

/// <summary>
/// A Debian release the harness takes kernels from, with the suites that carry them: the point
/// release's kernel is in the release itself, newer builds (and many older ones) in its security
/// suite. Each release gets its own private apt state, so bullseye's and bookworm's meta packages
/// (both named linux-image-cloud-amd64) never compete for the candidate.
/// </summary>
/// <param name="Keyring">The keyring the suites' Release files must be signed with; null only for a
/// local unsigned archive (the tests' file: archives), which apt then takes as trusted.</param>
public sealed record DebianRelease(string Codename, IReadOnlyList<AptSuite> Suites, string? Keyring = DebianRelease.DebianKeyring)
{
    const string Archive = "http://deb.debian.org/debian";
    const string SecurityArchive = "http://deb.debian.org/debian-security";

    /// <summary>From Debian's debian-archive-keyring package; bookworm's holds bullseye's and trixie's keys too.</summary>
    public const string DebianKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg";

    public static DebianRelease Bookworm { get; } = Of("bookworm");
    public static DebianRelease Bullseye { get; } = Of("bullseye");

    static DebianRelease Of(string codename) =>
        new(codename, [new AptSuite(Archive, codename), new AptSuite(SecurityArchive, codename + "-security")]);

    /// <summary>The sources.list of this release's private apt state (main only: kernels live there).</summary>
    public string SourcesList() =>
        string.Concat(Suites.Select(s => $"deb [{(Keyring is null ? "trusted=yes" : "signed-by=" + Keyring)}] {s.Uri} {s.Suite} main\n"));

    public override string ToString() => Codename;
}
