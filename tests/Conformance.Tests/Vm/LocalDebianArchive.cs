using System.Security.Cryptography;
using Conformance.Machines.Kernels;
using Conformance.Machines.Tools;

namespace Conformance.Tests.Vm;

/// <summary>
/// A small Debian archive on disk (file: URI, one suite, main, amd64 and arm64) built with
/// dpkg-deb and dpkg-scanpackages, so apt can be driven for real without the network.
/// </summary>
public sealed class LocalDebianArchive(string root, string suite)
{
    const string Component = "main";
    static readonly string[] Architectures = ["amd64", "arm64"];

    public DebianRelease Release => new("local-" + suite, [new AptSuite("file://" + root, suite)], Keyring: null);

    /// <summary>Builds a binary package into pool/.</summary>
    public async Task AddPackageAsync(string name, string version, string arch, string? depends, IReadOnlyDictionary<string, byte[]> files)
    {
        var tree = Path.Combine(root, "build", $"{name}_{version}");
        Directory.CreateDirectory(Path.Combine(tree, "DEBIAN"));
        await File.WriteAllTextAsync(Path.Combine(tree, "DEBIAN", "control"),
            $"Package: {name}\nVersion: {version}\nArchitecture: {arch}\nMaintainer: Conformance tests <tests@example.org>\n"
            + (depends is null ? "" : $"Depends: {depends}\n") + $"Description: {name} for the tests\n");
        foreach (var (path, data) in files)
        {
            var full = Path.Combine(tree, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllBytesAsync(full, data);
        }
        Directory.CreateDirectory(Path.Combine(root, "pool"));
        await ExternalCommand.RunAsync("dpkg-deb", ["--root-owner-group", "-Zgzip", "--build", tree,
            Path.Combine(root, "pool", $"{name}_{version}_{arch}.deb")]);
    }

    /// <summary>Writes the Packages indices and an (unsigned) Release file listing them.</summary>
    public async Task PublishAsync()
    {
        var dists = Path.Combine(root, "dists", suite);
        var hashes = new List<string>();
        foreach (var arch in Architectures)
        {
            var relative = $"{Component}/binary-{arch}/Packages";
            var packages = (await ExternalCommand.RunAsync("dpkg-scanpackages", ["--arch", arch, "pool"], workingDirectory: root)).StandardOutput;
            var path = Path.Combine(dists, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, packages);
            var bytes = await File.ReadAllBytesAsync(path);
            hashes.Add($" {Convert.ToHexStringLower(SHA256.HashData(bytes))} {bytes.Length} {relative}");
        }
        await File.WriteAllTextAsync(Path.Combine(dists, "Release"),
            $"Suite: {suite}\nCodename: {suite}\nDate: {DateTime.UtcNow:R}\nArchitectures: {string.Join(' ', Architectures)}\n"
            + $"Components: {Component}\nSHA256:\n{string.Join('\n', hashes)}\n");
    }
}
