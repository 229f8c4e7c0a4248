using System.Diagnostics;

namespace Conformance.Machines.Host;

/// <summary>
/// Finds (and builds when missing or stale) the agent binaries of this repository's src/Native:
/// out/&lt;target&gt;/agent for the targets x86_64, i386, aarch64 and armhf.
/// </summary>
public static class AgentBinaries
{
    static readonly Dictionary<string, (string Compiler, string Package)> Toolchains = new()
    {
        ["x86_64"] = ("gcc", "gcc"),
        ["i386"] = ("i686-linux-gnu-gcc", "gcc-i686-linux-gnu"),
        ["aarch64"] = ("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"),
        ["armhf"] = ("arm-linux-gnueabihf-gcc", "gcc-arm-linux-gnueabihf"),
    };

    static readonly SemaphoreSlim BuildLock = new(1, 1);

    /// <summary>
    /// The src/Native folder, found by walking up to Conformance.sln from $CONFORMANCE_REPO, the
    /// current directory, the app's directory and, for builds whose output lives outside the tree
    /// (CONFORMANCE_ARTIFACTS), the directory this file was compiled from.
    /// </summary>
    public static string NativeDirectory()
    {
        var starts = new[] { Environment.GetEnvironmentVariable("CONFORMANCE_REPO"), Environment.CurrentDirectory, AppContext.BaseDirectory, CompiledFrom() };
        foreach (var start in starts)
        {
            if (string.IsNullOrEmpty(start) || !Directory.Exists(start)) continue;
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Conformance.sln")) && Directory.Exists(Path.Combine(d.FullName, "src", "Native")))
                    return Path.Combine(d.FullName, "src", "Native");
        }
        throw new DirectoryNotFoundException(
            $"cannot find the repository's src/Native: no Conformance.sln above {string.Join(", ", starts.Where(s => !string.IsNullOrEmpty(s)))}; set CONFORMANCE_REPO");
    }

    static string? CompiledFrom([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path);

    /// <summary>The build target of the native agent for a machine ("x86_64" or "aarch64").</summary>
    public static string AgentTarget(string machineArch) => machineArch switch
    {
        "x86_64" => "x86_64",
        "aarch64" => "aarch64",
        _ => throw new ArgumentException($"no agent build for machine '{machineArch}' (x86_64 or aarch64)", nameof(machineArch)),
    };

    /// <summary>The build target of the compat helper for a machine: i386 on x86_64, armhf on aarch64.</summary>
    public static string HelperTarget(string machineArch) => machineArch switch
    {
        "x86_64" => "i386",
        "aarch64" => "armhf",
        _ => throw new ArgumentException($"no compat helper for machine '{machineArch}' (x86_64 or aarch64)", nameof(machineArch)),
    };

    /// <summary>The native agent for a machine arch, built if needed.</summary>
    public static string Agent(string machineArch) => Ensure(AgentTarget(machineArch));

    /// <summary>The compat helper for a machine arch, built if needed.</summary>
    public static string Helper(string machineArch) => Ensure(HelperTarget(machineArch));

    /// <summary>
    /// Returns src/Native/out/&lt;target&gt;/agent, running make first when it is missing or older
    /// than any source. A missing compiler is an error naming the Debian package to install.
    /// </summary>
    public static string Ensure(string target)
    {
        if (!Toolchains.TryGetValue(target, out var tool))
            throw new ArgumentException($"unknown agent target '{target}'; known: {string.Join(", ", Toolchains.Keys)}", nameof(target));
        var dir = NativeDirectory();
        var binary = Path.Combine(dir, "out", target, "agent");
        BuildLock.Wait();
        try
        {
            if (IsFresh(dir, binary)) return binary;
            if (!OnPath(tool.Compiler))
                throw new InvalidOperationException(
                    $"cannot build the {target} agent: compiler {tool.Compiler} not found; install the Debian package {tool.Package}");
            Make(dir, target);
            if (!File.Exists(binary))
                throw new InvalidOperationException($"make -C {dir} TARGET={target} finished but {binary} is missing");
            return binary;
        }
        finally
        {
            BuildLock.Release();
        }
    }

    static bool IsFresh(string dir, string binary)
    {
        if (!File.Exists(binary)) return false;
        var built = File.GetLastWriteTimeUtc(binary);
        return Directory.EnumerateFiles(dir)
            .Where(f => f.EndsWith(".c") || f.EndsWith(".h") || f.EndsWith(".S") || Path.GetFileName(f) == "Makefile")
            .All(f => File.GetLastWriteTimeUtc(f) <= built);
    }

    static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));

    static void Make(string dir, string target)
    {
        // make writes out/<target>/agent.tmp and renames it, so concurrent builds by other
        // processes never expose a half-written binary.
        var psi = new ProcessStartInfo("make", ["-C", dir, $"TARGET={target}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start make");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"make -C {dir} TARGET={target} failed ({p.ExitCode}):\n{stdout.Result}{stderr.Result}");
    }
}
