using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Conformance.Machines.Kernels;
using Conformance.Machines.Tools;
using Microsoft.Extensions.Logging;

namespace Conformance.Machines.Vm;

/// <summary>
/// Decides between KVM and TCG. /dev/kvm existing proves nothing: on some hosts (this project's
/// build machines among them) KVM guests hang in firmware. So KVM is used only after a probe has
/// run SeaBIOS under KVM to its "No bootable device." message within a short timeout; the verdict
/// is cached per host kernel, CPU model and QEMU version, so a hanging KVM costs the probe timeout
/// once, not once per boot. SeaBIOS finishing is not proof either (here it sometimes does, slowly,
/// and kernels still hang): a KVM boot that never reaches the agent marks KVM broken in the same
/// cache (QemuMachine), and that machine boots again under TCG. Guests of another architecture than the host always get TCG.
/// CONFORMANCE_ACCEL=tcg|kvm|auto overrides Auto.
/// </summary>
public static class AcceleratorProbe
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);
    /// <summary>SeaBIOS under a working KVM gives up booting well inside this; a KVM that needs longer is trapping badly.</summary>
    static readonly TimeSpan HealthyFirmwareTime = TimeSpan.FromSeconds(2);
    const string FirmwareDoneMessage = "No bootable device";

    sealed record Verdict(bool KvmWorks, string Detail, string Key);

    public static async Task<QemuAccel> ResolveAsync(
        KernelArch guest, QemuAccel requested, string cacheRoot, ILogger logger, CancellationToken cancellationToken)
    {
        if (requested == QemuAccel.Auto && Environment.GetEnvironmentVariable("CONFORMANCE_ACCEL") is { Length: > 0 } forced)
            requested = forced.ToLowerInvariant() switch
            {
                "tcg" => QemuAccel.Tcg,
                "kvm" => QemuAccel.Kvm,
                "auto" => QemuAccel.Auto,
                _ => throw new ArgumentException($"CONFORMANCE_ACCEL='{forced}': use tcg, kvm or auto"),
            };
        if (requested != QemuAccel.Auto)
            return requested;
        if (guest != KernelArch.X86_64 || KernelArchNames.Host != KernelArch.X86_64 || !KvmDeviceUsable())
            return QemuAccel.Tcg;

        var key = await HostKeyAsync(cancellationToken);
        var path = Path.Combine(cacheRoot, "qemu", $"kvm-probe-{key[..16]}.json");
        if (File.Exists(path))
        {
            try
            {
                var cached = JsonSerializer.Deserialize<Verdict>(await File.ReadAllTextAsync(path, cancellationToken));
                if (cached is not null && cached.Key == key)
                    return cached.KvmWorks ? QemuAccel.Kvm : QemuAccel.Tcg;
            }
            catch (JsonException)
            {
                // Rewritten below.
            }
        }

        using var probeLock = await CacheLock.AcquireAsync(path + ".lock", cancellationToken);
        var verdict = await ProbeAsync(key, cancellationToken);
        logger.LogInformation("KVM probe: {Verdict} ({Detail}); cached in {Path}", verdict.KvmWorks ? "KVM works" : "using TCG", verdict.Detail, path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(verdict), cancellationToken);
        return verdict.KvmWorks ? QemuAccel.Kvm : QemuAccel.Tcg;
    }

    /// <summary>
    /// A boot under KVM never reached the agent although the probe passed: record KVM as unusable
    /// on this host so every later boot goes straight to TCG.
    /// </summary>
    public static Task MarkKvmBrokenAsync(string cacheRoot, string why, CancellationToken cancellationToken) =>
        RecordAsync(cacheRoot, kvmWorks: false, why, cancellationToken);

    /// <summary>Writes this host's cached verdict (also how a user or a test overrides a probe's).</summary>
    public static async Task RecordAsync(string cacheRoot, bool kvmWorks, string why, CancellationToken cancellationToken)
    {
        var key = await HostKeyAsync(cancellationToken);
        var path = Path.Combine(cacheRoot, "qemu", $"kvm-probe-{key[..16]}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var probeLock = await CacheLock.AcquireAsync(path + ".lock", cancellationToken);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new Verdict(kvmWorks, why, key)), cancellationToken);
    }

    static bool KvmDeviceUsable()
    {
        try
        {
            using var kvm = new FileStream("/dev/kvm", FileMode.Open, FileAccess.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Runs SeaBIOS under KVM, its debug port on stdout, and waits for it to give up booting.</summary>
    static async Task<Verdict> ProbeAsync(string key, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("qemu-system-x86_64")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-accel", "kvm", "-M", "pc", "-nodefaults", "-no-user-config", "-display", "none",
                     "-no-reboot", "-m", "64", "-chardev", "stdio,id=firmware", "-device", "isa-debugcon,iobase=0x402,chardev=firmware" })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new ExternalCommandException("cannot start qemu-system-x86_64");
        var output = new StringBuilder();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pump = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (output)
                {
                    output.Append(buffer, 0, n);
                    if (output.ToString().Contains(FirmwareDoneMessage, StringComparison.Ordinal))
                        done.TrySetResult();
                }
            }
            done.TrySetResult();
        }, CancellationToken.None);
        var stopwatch = Stopwatch.StartNew();
        var finished = await Task.WhenAny(done.Task, Task.Delay(ProbeTimeout, cancellationToken));
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await process.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        string text;
        lock (output)
            text = output.ToString();
        var stderr = await process.StandardError.ReadToEndAsync(CancellationToken.None);
        if (text.Contains(FirmwareDoneMessage, StringComparison.Ordinal) && stopwatch.Elapsed <= HealthyFirmwareTime)
            return new Verdict(true, $"firmware finished under KVM in {stopwatch.Elapsed.TotalSeconds:F1} s", key);
        if (text.Contains(FirmwareDoneMessage, StringComparison.Ordinal))
            return new Verdict(false, $"firmware took {stopwatch.Elapsed.TotalSeconds:F1} s under KVM (TCG takes about 0.2 s): this KVM is not healthy", key);
        var why = finished == done.Task
            ? $"QEMU exited: {stderr.Trim().Split('\n').LastOrDefault()}"
            : $"firmware did not finish within {ProbeTimeout.TotalSeconds:F0} s; last output: {text.Trim().Split('\n').LastOrDefault()}";
        return new Verdict(false, why, key);
    }

    static async Task<string> HostKeyAsync(CancellationToken cancellationToken)
    {
        var qemu = (await ExternalCommand.RunAsync("qemu-system-x86_64", ["--version"], cancellationToken: cancellationToken)).StandardOutput;
        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? await File.ReadAllTextAsync("/proc/sys/kernel/osrelease", cancellationToken) : "";
        var cpu = File.Exists("/proc/cpuinfo")
            ? (await File.ReadAllLinesAsync("/proc/cpuinfo", cancellationToken)).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) ?? ""
            : "";
        var text = $"{Environment.MachineName}\n{kernel.Trim()}\n{cpu}\n{qemu.Split('\n')[0]}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
