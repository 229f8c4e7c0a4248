using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Conformance.Machines.Tools;
using Microsoft.Extensions.Logging;

namespace Conformance.Machines.Kernels;

/// <summary>
/// Builds small test kernels: `make tinyconfig`, append the merged fragments, `make olddefconfig`,
/// check nothing was dropped, `make bzImage|Image`. Out of tree (O=), so one unpacked source serves
/// every build, and cached by a hash of source identity, arch and merged fragments.
/// </summary>
public sealed class KernelBuilder(string kernelsRoot, ILogger logger)
{
    /// <summary>Bump when the recipe changes in a way that changes the kernels it produces.</summary>
    const string RecipeVersion = "conformance-kernel-build 1";

    public string BuiltRoot => Path.Combine(kernelsRoot, "built");
    string WorkRoot => Path.Combine(kernelsRoot, "work");

    public async Task<KernelDescriptor> BuildAsync(KernelBuildRequest request, CancellationToken cancellationToken)
    {
        // Parse everything first: a bad fragment should fail before anything is downloaded.
        var fragments = new List<KernelConfig> { KernelFragments.Base, KernelFragments.ForArch(request.Arch) };
        fragments.AddRange(request.Fragments.Select(KernelFragments.Resolve));
        if (KernelFragments.ForSeries(request.Series) is { } seriesFragment)
            fragments.Add(seriesFragment);
        var merged = fragments.Aggregate((a, b) => a.Merge(b));

        var source = await new KernelSource(kernelsRoot, logger).GetAsync(request.Series, cancellationToken);
        var hash = BuildHash(source, request.Arch, merged);
        var name = $"{request.Arch.Name()}-{request.Series.Name}-{hash[..12]}";
        var finalDir = Path.Combine(BuiltRoot, name);

        using var buildLock = await CacheLock.AcquireAsync(Path.Combine(WorkRoot, name + ".lock"), cancellationToken);
        if (File.Exists(Path.Combine(finalDir, KernelManifest.FileName)))
        {
            logger.LogInformation("Kernel {Name} is already built", name);
            return KernelManifest.Load(finalDir).ToDescriptor(finalDir);
        }

        var work = Path.Combine(WorkRoot, name);
        if (Directory.Exists(work))
            Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        var logPath = Path.Combine(work, "build.log");
        await using var log = new StreamWriter(logPath) { AutoFlush = false };

        var make = new MakeInvocation(source.Directory, work, request.Arch, $"-cf{hash[..10]}", log, cancellationToken);
        logger.LogInformation("Configuring {Name} (tinyconfig + {Fragments})", name, string.Join(", ", fragments.Select(f => f.Source)));
        await make.RunAsync("tinyconfig");
        await File.AppendAllTextAsync(Path.Combine(work, ".config"),
            "\n# Conformance fragments (merged)\n" + merged.ToConfigText(), cancellationToken);
        await make.RunAsync("olddefconfig");

        var result = KernelConfig.Load(Path.Combine(work, ".config"));
        var dropped = FragmentVerifier.FindDropped(fragments, result);
        if (dropped.Count > 0)
            throw new KernelBuildException(
                $"kernel config for {request.Arch.Name()} {request.Series.Name} does not have what the fragments ask for "
                + $"({dropped.Count} option(s) dropped by Kconfig; config left in {work}):\n  "
                + string.Join("\n  ", dropped), dropped);

        var target = request.Arch == KernelArch.X86_64 ? "bzImage" : "Image";
        logger.LogInformation("Building {Target} for {Name} with -j{Jobs} (log: {Log})", target, name, Environment.ProcessorCount, logPath);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await make.RunAsync($"-j{Environment.ProcessorCount}", target);
        }
        catch (ExternalCommandException e)
        {
            throw new KernelBuildException($"building {name} failed; full log in {logPath}\n{e.Message}");
        }
        stopwatch.Stop();
        var release = (await make.RunAsync("-s", "kernelrelease")).StandardOutput.Trim().Split('\n')[^1];

        var staging = finalDir + ".staging";
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        var imageName = request.Arch == KernelArch.X86_64 ? "bzImage" : "Image";
        File.Copy(Path.Combine(work, "arch", request.Arch.KbuildName(), "boot", imageName), Path.Combine(staging, imageName));
        File.Copy(Path.Combine(work, ".config"), Path.Combine(staging, "config"));
        await File.WriteAllTextAsync(Path.Combine(staging, "fragments.config"), merged.ToConfigText(), cancellationToken);
        await log.FlushAsync(cancellationToken);
        File.Copy(logPath, Path.Combine(staging, "build.log"));
        new KernelManifest
        {
            Release = release,
            Arch = request.Arch.Name(),
            Origin = nameof(KernelOrigin.Built),
            Image = imageName,
            Config = "config",
            Series = request.Series.Name,
            Package = $"{source.Package} {source.Version}",
            Fragments = fragments.Select(f => f.Source).ToList(),
            BuildSeconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 1),
        }.Save(staging);
        if (Directory.Exists(finalDir))
            Directory.Delete(finalDir, recursive: true);
        Directory.Move(staging, finalDir);
        await log.DisposeAsync();
        // The object tree is hundreds of MB and a rebuild of a tinyconfig kernel takes minutes;
        // a cache hit never needs it, so it goes.
        Directory.Delete(work, recursive: true);
        logger.LogInformation("Built {Release} in {Seconds:F0} s", release, stopwatch.Elapsed.TotalSeconds);
        return KernelManifest.Load(finalDir).ToDescriptor(finalDir);
    }

    /// <summary>The cache key: which source, which arch, which options were asked for, by which recipe.</summary>
    public static string BuildHash(KernelSourceTree source, KernelArch arch, KernelConfig merged)
    {
        var text = $"{RecipeVersion}\n{source.Identity}\n{arch.Name()}\n{merged.ToConfigText()}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>make in the source tree with the build's O=, ARCH= and CROSS_COMPILE=.</summary>
    sealed class MakeInvocation(string sourceDir, string outputDir, KernelArch arch, string localVersion, TextWriter log, CancellationToken cancellationToken)
    {
        public async Task<CommandResult> RunAsync(params string[] targets)
        {
            var args = new List<string> { "-C", sourceDir, $"O={outputDir}", $"ARCH={arch.KbuildName()}", $"LOCALVERSION={localVersion}" };
            if (CrossCompilePrefix(arch) is { } prefix)
                args.Add($"CROSS_COMPILE={prefix}");
            args.AddRange(targets);
            log.WriteLine("$ " + ExternalCommand.Quote("make", args));
            // Fixed build identity so two builds of the same inputs differ only where the compiler does.
            var env = new Dictionary<string, string>
            {
                ["KBUILD_BUILD_USER"] = "conformance",
                ["KBUILD_BUILD_HOST"] = "conformance",
                ["KBUILD_BUILD_TIMESTAMP"] = "2000-01-01",
            };
            return await ExternalCommand.RunAsync("make", args, log: log, environment: env, cancellationToken: cancellationToken);
        }
    }

    /// <summary>The Debian cross compiler prefix when the target is not the host's architecture.</summary>
    public static string? CrossCompilePrefix(KernelArch arch) =>
        KernelArchNames.Host == arch ? null : arch switch
        {
            KernelArch.Aarch64 => "aarch64-linux-gnu-",
            KernelArch.X86_64 => "x86_64-linux-gnu-",
            _ => throw new ArgumentOutOfRangeException(nameof(arch)),
        };
}
