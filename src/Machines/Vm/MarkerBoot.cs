using System.Diagnostics;
using Conformance.Machines;
using Microsoft.Extensions.Logging;

namespace Conformance.Machines.Vm;

/// <summary>How a boot to a console marker went.</summary>
public sealed record MarkerBootResult(
    string CommandLine, TimeSpan? TimeToMarker, string? MarkerLine, TimeSpan Elapsed, int? ExitCode,
    string ConsoleText, string QemuErrors, MachineFault? Fault)
{
    /// <summary>CPU time QEMU had used when the marker arrived (the load-independent boot cost).</summary>
    public TimeSpan? CpuTimeToMarker { get; init; }

    public bool MarkerSeen => TimeToMarker is not null;
}

/// <summary>
/// Boots a guest whose init prints a known line (bare-init) and measures QEMU start to that line.
/// The boot benchmark's baseline, and the way the crash-detection recordings are made: the same
/// QEMU launch and console monitor as <see cref="Machines.QemuMachine"/>, minus the agent.
/// </summary>
public static class MarkerBoot
{
    /// <param name="stopAtMarker">
    /// Kill QEMU as soon as the marker line arrives instead of waiting for the guest to end
    /// (the benchmark, which only wants the time to the marker).
    /// </param>
    public static async Task<MarkerBootResult> RunAsync(
        QemuLaunchSpec spec, string marker, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken = default,
        bool stopAtMarker = false)
    {
        var monitor = new ConsoleMonitor();
        var markerSeen = new TaskCompletionSource<(long Timestamp, string Line)>(TaskCreationOptions.RunContinuationsAsynchronously);
        TimeSpan? cpuAtMarker = null;
        await using var qemu = QemuProcess.Start(spec, logger);
        monitor.LineCompleted += line =>
        {
            // Lines arrive on the pump's thread alone. Read the clocks before completing the task:
            // with stopAtMarker the completion gets QEMU killed.
            if (!markerSeen.Task.IsCompleted && line.Contains(marker, StringComparison.Ordinal))
            {
                var at = Stopwatch.GetTimestamp();
                cpuAtMarker = qemu.CpuTime;
                markerSeen.TrySetResult((at, line.Trim()));
            }
        };

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var pump = ConsolePump.RunAsync(qemu.Output, monitor, CancellationToken.None);

        int? exitCode = null;
        try
        {
            // The guest reboots (QEMU exits) right after the marker, or panics; either way wait
            // for the exit so the console text is complete.
            if (stopAtMarker)
                await Task.WhenAny(markerSeen.Task, qemu.Exited).WaitAsync(deadline.Token);
            else
                exitCode = await qemu.Exited.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            monitor.Report(FaultKind.BootTimeout, $"QEMU still running after {timeout.TotalSeconds:F0} s");
        }
        qemu.Kill();
        await pump.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        var elapsed = Stopwatch.GetElapsedTime(qemu.StartTimestamp);

        TimeSpan? toMarker = null;
        string? markerLine = null;
        if (markerSeen.Task.IsCompleted)
        {
            var (timestamp, line) = markerSeen.Task.Result;
            toMarker = Stopwatch.GetElapsedTime(qemu.StartTimestamp, timestamp);
            markerLine = line;
        }
        else if (monitor.Fault is null)
        {
            monitor.Report(FaultKind.UnexpectedExit, $"QEMU exited with code {exitCode} before the guest printed '{marker}'");
        }
        return new MarkerBootResult(qemu.CommandLine, toMarker, markerLine, elapsed, exitCode,
            monitor.Text, qemu.ErrorText, monitor.Fault) { CpuTimeToMarker = cpuAtMarker };
    }
}
