using Conformance.Machines.Tools;
using Microsoft.Extensions.Logging;

namespace Conformance.Machines.Kernels;

/// <summary>
/// apt's view of one Debian release, kept entirely under the kernel cache: its own sources.list,
/// package lists, package cache and (empty) dpkg status. Every apt call gets options pointing apt
/// there, so fetching kernels never reads the machine's apt sources nor writes its apt state, and
/// works the same on a machine whose sources name another release (or none).
/// </summary>
public sealed class PrivateAptState(string root, DebianRelease release, ILogger logger)
{
    /// <summary>Older lists are refreshed before use; a failed refresh falls back to them with a warning.</summary>
    public static readonly TimeSpan MaxListAge = TimeSpan.FromHours(24);

    /// <summary>Both guest architectures, whatever dpkg on the host is configured for.</summary>
    static readonly string[] Architectures = ["amd64", "arm64"];

    /// <summary>The state of a release in the kernel cache: &lt;kernels&gt;/apt/&lt;codename&gt;.</summary>
    public static PrivateAptState For(string kernelsRoot, DebianRelease release, ILogger logger) =>
        new(Path.Combine(kernelsRoot, "apt", release.Codename), release, logger);

    public string Root => root;
    public DebianRelease Release => release;
    string SourceList => Path.Combine(root, "sources.list");
    string EtcDir => Path.Combine(root, "etc");
    string StateDir => Path.Combine(root, "state");
    string CacheDir => Path.Combine(root, "cache");
    string StatusFile => Path.Combine(root, "status");
    string UpdatedStamp => Path.Combine(root, "updated");

    /// <summary>The options that point apt-get and apt-cache at this state instead of the machine's.</summary>
    public IReadOnlyList<string> Options
    {
        get
        {
            var options = new List<string>
            {
                "Dir::Etc::SourceList=" + SourceList,
                "Dir::Etc::SourceParts=" + Path.Combine(EtcDir, "sources.list.d"),
                "Dir::Etc::Preferences=" + Path.Combine(EtcDir, "preferences"),
                "Dir::Etc::PreferencesParts=" + Path.Combine(EtcDir, "preferences.d"),
                "Dir::Etc::Trusted=" + Path.Combine(EtcDir, "trusted.gpg"),
                "Dir::Etc::TrustedParts=" + Path.Combine(EtcDir, "trusted.gpg.d"),
                "Dir::State=" + StateDir,
                "Dir::State::status=" + StatusFile,
                "Dir::Cache=" + CacheDir,
                "Dir::Log=" + Path.Combine(root, "log"),
                // The cache usually lives in root's home, which the _apt sandbox user cannot enter.
                "APT::Sandbox::User=root",
                // Only Packages files are needed: no translations, no AppStream metadata the host's
                // apt.conf.d may ask for.
                "Acquire::Languages=none",
                "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false",
                "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false",
                "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false",
                "Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false",
            };
            options.AddRange(Architectures.Select(a => "APT::Architectures::=" + a));
            return options.SelectMany(o => new[] { "-o", o }).ToList();
        }
    }

    /// <summary>Writes the sources and runs `apt-get update` when the lists are missing, stale or for other sources.</summary>
    public async Task EnsureUpdatedAsync(CancellationToken cancellationToken)
    {
        using var updateLock = await CacheLock.AcquireAsync(root + ".lock", cancellationToken);
        foreach (var dir in new[] { "sources.list.d", "preferences.d", "trusted.gpg.d" })
            Directory.CreateDirectory(Path.Combine(EtcDir, dir));
        Directory.CreateDirectory(Path.Combine(StateDir, "lists", "partial"));
        Directory.CreateDirectory(Path.Combine(CacheDir, "archives", "partial"));
        if (!File.Exists(StatusFile))
            await File.WriteAllTextAsync(StatusFile, "", cancellationToken);

        var sources = release.SourcesList();
        var sourcesChanged = !File.Exists(SourceList) || await File.ReadAllTextAsync(SourceList, cancellationToken) != sources;
        if (sourcesChanged)
            await File.WriteAllTextAsync(SourceList, sources, cancellationToken);
        var fresh = File.Exists(UpdatedStamp) && DateTime.UtcNow - File.GetLastWriteTimeUtc(UpdatedStamp) < MaxListAge;
        if (fresh && !sourcesChanged)
            return;

        logger.LogInformation("Updating the package lists of {Release} in {Root}", release.Codename, root);
        var result = await ExternalCommand.TryRunAsync("apt-get", [.. Options, "-q", "update"], cancellationToken: cancellationToken);
        // apt-get update exits 0 even when a source failed; a W:/E: line on stderr says so.
        var failed = result.ExitCode != 0 || result.StandardError.Split('\n').Any(l => l.StartsWith("E:", StringComparison.Ordinal)
                                                                                         || l.StartsWith("W: Failed", StringComparison.Ordinal));
        if (!failed)
        {
            await File.WriteAllTextAsync(UpdatedStamp, DateTime.UtcNow.ToString("O") + "\n", cancellationToken);
            return;
        }
        if (File.Exists(UpdatedStamp) && !sourcesChanged)
        {
            logger.LogWarning("apt-get update for {Release} failed; using the lists of {Time}: {Error}",
                release.Codename, File.GetLastWriteTimeUtc(UpdatedStamp), result.StandardError.Trim());
            return;
        }
        throw new ExternalCommandException(
            $"'{result.CommandLine}' could not fetch the package lists of {release.Codename} "
            + $"({string.Join(", ", release.Suites.Select(s => $"{s.Uri} {s.Suite}"))}): {result.StandardError.Trim()}");
    }

    /// <summary>The names of packages matching an extended regular expression (apt-cache search --names-only).</summary>
    public async Task<IReadOnlyList<string>> SearchNamesAsync(string pattern, CancellationToken cancellationToken)
    {
        var result = await ExternalCommand.RunAsync("apt-cache", [.. Options, "search", "--names-only", pattern], cancellationToken: cancellationToken);
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(" - ", 2)[0].Trim()).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Every version of the named packages for one architecture that the lists hold.</summary>
    public async Task<IReadOnlyList<DebianPackage>> ShowAllAsync(IEnumerable<string> names, string debianArch, CancellationToken cancellationToken)
    {
        var specs = names.Select(n => $"{n}:{debianArch}").ToList();
        if (specs.Count == 0)
            return [];
        // A name with no package of this arch is skipped silently by apt-cache show.
        var result = await ExternalCommand.TryRunAsync("apt-cache", [.. Options, "show", .. specs], cancellationToken: cancellationToken);
        return DebianPackages.ParseShowAll(result.StandardOutput, debianArch)
            .Where(p => p.Architecture == debianArch || p.Architecture == "all").ToList();
    }

    /// <summary>Downloads one exact package version into <paramref name="directory"/> and returns the .deb path.</summary>
    public Task<string> DownloadAsync(DebianPackage package, string directory, CancellationToken cancellationToken) =>
        DebianPackages.DownloadAsync(package, directory, Options, cancellationToken);
}
