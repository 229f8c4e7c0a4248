using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Machines.Vm;
using Microsoft.Extensions.Logging;

namespace Conformance.Benchmarks.Selftest;

/// <summary>One boot of a kernel that ran the seccomp selftest under bare-init.</summary>
public sealed record SelftestRun(
    TimeSpan TimeToResult, BareInitRun Run, KselftestReport Report, MachineFault? Fault, string ConsoleText, string CommandLine)
{
    /// <summary>QEMU's CPU time (all threads) when the result line arrived: the emulation work, which host load hardly changes.</summary>
    public TimeSpan? CpuTimeToResult { get; init; }

    /// <summary>QEMU start to the program's start: boot and init, as bare-init sees it.</summary>
    public TimeSpan BootPart => TimeToResult - Run.Elapsed;
}

/// <summary>
/// Boots a kernel with bare-init as /init and the selftest as /seccomp_bpf, bare-init running it
/// (`run SECONDS /seccomp_bpf`) and reporting how it ended. The QEMU command line is the one every
/// machine of the harness gets (<see cref="QemuCommandLine"/>); only init's arguments differ.
/// </summary>
public static class SelftestBoot
{
    public const string GuestPath = "/seccomp_bpf";

    /// <summary>How long bare-init lets the selftest run (its own settings file says 120 s on real hardware).</summary>
    public static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(600);

    /// <summary>On top of <see cref="RunLimit"/>: boot, and the reboot after the result line.</summary>
    static readonly TimeSpan BootAllowance = TimeSpan.FromSeconds(180);

    /// <summary>The initramfs: the usual layout with bare-init as /init, plus the selftest.</summary>
    public static string BuildImage(KernelArch arch, string bareInitPath, SeccompSelftest selftest, string cacheRoot)
    {
        if (selftest.Arch != arch)
            throw new ArgumentException($"{selftest} cannot run on an {arch.Name()} guest");
        var layout = GuestImage.Layout(new GuestImageSpec(arch, bareInitPath))
            .AddFile(GuestPath.TrimStart('/'), File.ReadAllBytes(selftest.BinaryPath));
        return GuestImage.WriteCached(layout, cacheRoot);
    }

    public static async Task<SelftestRun> RunAsync(
        KernelDescriptor kernel, string image, QemuAccel accel, ILogger logger, CancellationToken cancellationToken = default)
    {
        var spec = new QemuLaunchSpec(kernel.Arch, kernel.ImagePath, image)
        {
            Accel = accel,
            InitArgs = ["run", ((int)RunLimit.TotalSeconds).ToString(), GuestPath],
        };
        var boot = await MarkerBoot.RunAsync(spec, BareInitRun.Marker, RunLimit + BootAllowance, logger, cancellationToken);
        if (boot.TimeToMarker is not { } toMarker || boot.MarkerLine is not { } line)
            throw new InvalidOperationException(
                $"{kernel.Name}: the selftest never reported back ({boot.Fault?.Summary ?? "no fault seen"}); console tail:\n"
                + Tail(boot.ConsoleText, 30));
        return new SelftestRun(toMarker, BareInitRun.Parse(line), KselftestReport.Parse(boot.ConsoleText), boot.Fault,
            boot.ConsoleText, boot.CommandLine) { CpuTimeToResult = boot.CpuTimeToMarker };
    }

    static string Tail(string text, int lines) =>
        string.Join('\n', text.Split('\n').TakeLast(lines));
}
