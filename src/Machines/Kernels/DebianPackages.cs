using Conformance.Machines.Tools;

namespace Conformance.Machines.Kernels;

/// <summary>One package version as apt knows it.</summary>
public sealed record DebianPackage(string Name, string Architecture, string Version, IReadOnlyList<string> Depends)
{
    /// <summary>The spec apt-get takes to download exactly this version: name:arch=version.</summary>
    public string Spec => Architecture == "all" ? $"{Name}={Version}" : $"{Name}:{Architecture}={Version}";
}

/// <summary>
/// The few apt/dpkg operations the harness needs to get kernels and tools from Debian's
/// archive through the ordinary clients (no other download path exists on CI hosts).
/// </summary>
public static class DebianPackages
{
    /// <summary>Makes sure apt can see packages of a foreign architecture (arm64 on an amd64 host).</summary>
    public static async Task EnsureArchitectureAsync(string debianArch, CancellationToken cancellationToken)
    {
        var native = (await ExternalCommand.RunAsync("dpkg", ["--print-architecture"], cancellationToken: cancellationToken)).StandardOutput.Trim();
        if (native == debianArch)
            return;
        var foreign = (await ExternalCommand.RunAsync("dpkg", ["--print-foreign-architectures"], cancellationToken: cancellationToken)).StandardOutput;
        if (foreign.Split('\n', StringSplitOptions.TrimEntries).Contains(debianArch))
            return;
        await ExternalCommand.RunAsync("dpkg", ["--add-architecture", debianArch], cancellationToken: cancellationToken);
        await ExternalCommand.RunAsync("apt-get", ["update"], cancellationToken: cancellationToken);
    }

    /// <summary>The candidate version of a package, as `apt-cache show` reports it.</summary>
    public static async Task<DebianPackage> ShowAsync(string name, string debianArch, CancellationToken cancellationToken)
    {
        var result = await ExternalCommand.TryRunAsync("apt-cache", ["show", "--no-all-versions", $"{name}:{debianArch}"],
            cancellationToken: cancellationToken);
        if (result.ExitCode != 0 || !result.StandardOutput.Contains("Package:"))
            throw new ExternalCommandException(
                $"apt does not know the package {name}:{debianArch} ({result.StandardError.Trim()}); "
                + "is bookworm (and bookworm-security for 6.12) in the apt sources, and has `apt-get update` run?");
        return ParseShow(result.StandardOutput, debianArch);
    }

    /// <summary>Parses the first stanza of `apt-cache show` output.</summary>
    public static DebianPackage ParseShow(string text, string debianArch) =>
        ParseShowAll(text, debianArch).FirstOrDefault()
        ?? throw new ExternalCommandException($"unexpected apt-cache output (no Package/Version):\n{text}");

    /// <summary>Parses every stanza of `apt-cache show` output (one per package version).</summary>
    public static IReadOnlyList<DebianPackage> ParseShowAll(string text, string debianArch)
    {
        var packages = new List<DebianPackage>();
        foreach (var stanza in text.Replace("\r", "").Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
            if (ParseStanza(stanza, debianArch) is { } package)
                packages.Add(package);
        return packages;
    }

    static DebianPackage? ParseStanza(string stanza, string debianArch)
    {
        string? name = null, version = null, arch = null, depends = null;
        foreach (var line in stanza.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0 || line[0] == ' ')
                continue;
            var value = line[(colon + 1)..].Trim();
            switch (line[..colon])
            {
                case "Package": name = value; break;
                case "Version": version = value; break;
                case "Architecture": arch = value; break;
                case "Depends": depends = value; break;
            }
        }
        if (name is null || version is null)
            return null;
        var deps = (depends ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => d.Split([' ', '|', '('], 2)[0].Split(':')[0])
            .ToList();
        return new DebianPackage(name, arch ?? debianArch, version, deps);
    }

    /// <summary>Downloads one exact package version into <paramref name="directory"/> and returns the .deb path.</summary>
    public static Task<string> DownloadAsync(DebianPackage package, string directory, CancellationToken cancellationToken) =>
        // The cache usually lives in root's home, which the _apt sandbox user cannot enter.
        DownloadAsync(package, directory, ["-o", "APT::Sandbox::User=root"], cancellationToken);

    /// <summary>As <see cref="DownloadAsync(DebianPackage, string, CancellationToken)"/>, with apt options (e.g. a private apt state).</summary>
    public static async Task<string> DownloadAsync(DebianPackage package, string directory, IReadOnlyList<string> aptOptions, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await ExternalCommand.RunAsync("apt-get", [.. aptOptions, "-q", "download", package.Spec],
            workingDirectory: directory, cancellationToken: cancellationToken);
        var deb = Directory.GetFiles(directory, $"{package.Name}_*.deb").SingleOrDefault()
            ?? throw new ExternalCommandException($"apt-get download {package.Spec} left no {package.Name}_*.deb in {directory}");
        return deb;
    }

    /// <summary>Unpacks a .deb's files (not its scripts) under <paramref name="directory"/>.</summary>
    public static Task ExtractAsync(string deb, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        return ExternalCommand.RunAsync("dpkg-deb", ["-x", deb, directory], cancellationToken: cancellationToken);
    }

    /// <summary>The installed version of a package, or null when it is not installed.</summary>
    public static async Task<string?> InstalledVersionAsync(string name, CancellationToken cancellationToken)
    {
        var result = await ExternalCommand.TryRunAsync("dpkg-query", ["-W", "-f=${Status}\t${Version}", name],
            cancellationToken: cancellationToken);
        if (result.ExitCode != 0)
            return null;
        var parts = result.StandardOutput.Split('\t');
        return parts.Length == 2 && parts[0].EndsWith("installed", StringComparison.Ordinal) && !parts[0].Contains("not-installed")
            ? parts[1].Trim() : null;
    }
}
