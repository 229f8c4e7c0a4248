using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Conformance.Machines.Tools;
using Microsoft.Extensions.Logging;

namespace Conformance.Machines.Vm;

/// <summary>
/// A running QEMU: its serial line as a pair of streams, its stderr, and its exit. Disposing kills
/// it. Every QEMU the harness starts is registered so that it is also killed when the harness
/// process exits (SIGTERM included), and is started by <see cref="ParentDeathLauncher"/> so that
/// the kernel kills it when the harness dies without running any hook (SIGKILL, a crash): never a
/// guest left running behind a dead harness.
/// </summary>
public sealed class QemuProcess : IAsyncDisposable
{
    static readonly ConcurrentDictionary<int, Process> Live = new();
    static int _exitHookInstalled;

    readonly Process _process;
    readonly StringBuilder _errors = new();
    readonly Task _errorPump;

    QemuProcess(Process process, string commandLine, long startTimestamp)
    {
        _process = process;
        CommandLine = commandLine;
        StartTimestamp = startTimestamp;
        Exited = WaitForExitCodeAsync();
        _errorPump = PumpErrorsAsync();
    }

    /// <summary>The exact command line, for logs and bug reports.</summary>
    public string CommandLine { get; }

    /// <summary>Stopwatch timestamp taken just before the process was started (boot times count from here).</summary>
    public long StartTimestamp { get; }

    public int Id => _process.Id;

    /// <summary>Bytes the guest writes to its serial console.</summary>
    public Stream Output => _process.StandardOutput.BaseStream;

    /// <summary>Bytes for the guest's serial console.</summary>
    public Stream Input => _process.StandardInput.BaseStream;

    /// <summary>Completes with QEMU's exit code when it ends (0 for a clean reboot and for a panic alike).</summary>
    public Task<int> Exited { get; }

    public bool HasExited => Exited.IsCompleted;

    /// <summary>What QEMU itself printed on stderr (bad options, missing files).</summary>
    public string ErrorText
    {
        get
        {
            lock (_errors)
                return _errors.ToString();
        }
    }

    /// <summary>
    /// CPU time QEMU has used so far (all threads, user + system), or null once it is gone. Under
    /// TCG this is the emulation work itself, so unlike wall time it hardly changes when other
    /// processes load the host.
    /// </summary>
    public TimeSpan? CpuTime
    {
        get
        {
            try
            {
                // /proc/<pid>/stat: fields 14 and 15 (utime, stime) in clock ticks (USER_HZ), counted
                // after the ")" that ends the command name.
                var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return TimeSpan.FromSeconds((long.Parse(fields[11]) + long.Parse(fields[12])) / (double)Tools.ClockTicks.PerSecond);
            }
            catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or InvalidOperationException)
            {
                return null;
            }
        }
    }

    /// <summary>Waits (a bounded time) until everything QEMU wrote to stderr has been read; for use after it exited.</summary>
    public async Task WaitForErrorTextAsync(TimeSpan limit)
    {
        try
        {
            await _errorPump.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            // Whatever arrived is in ErrorText.
        }
    }

    public static QemuProcess Start(QemuLaunchSpec spec, ILogger logger)
    {
        var executable = QemuCommandLine.Executable(spec.Arch);
        var args = QemuCommandLine.Arguments(spec);
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        var commandLine = ExternalCommand.Quote(executable, args);
        logger.LogDebug("Starting {CommandLine}", commandLine);

        InstallExitHook();
        var timestamp = Stopwatch.GetTimestamp();
        Process _process;
        try
        {
            _process = ParentDeathLauncher.Start(start);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or FileNotFoundException)
        {
            throw new ExternalCommandException($"cannot start {executable}: {e.Message} (install qemu-system-x86 / qemu-system-arm)");
        }
        Live[_process.Id] = _process;
        return new QemuProcess(_process, commandLine, timestamp);
    }

    /// <summary>
    /// Runs QEMU on the user's terminal (run-vm.sh --shell) and returns its exit code. Nothing is
    /// captured: the user is the console.
    /// </summary>
    public static async Task<int> RunInteractiveAsync(QemuLaunchSpec spec, ILogger logger, CancellationToken cancellationToken)
    {
        var executable = QemuCommandLine.Executable(spec.Arch);
        var start = new ProcessStartInfo(executable) { UseShellExecute = false };
        foreach (var a in QemuCommandLine.Arguments(spec with { Interactive = true }))
            start.ArgumentList.Add(a);
        logger.LogInformation("Starting {CommandLine}", ExternalCommand.Quote(executable, start.ArgumentList));
        InstallExitHook();
        Process started;
        try
        {
            started = ParentDeathLauncher.Start(start);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or FileNotFoundException)
        {
            throw new ExternalCommandException($"cannot start {executable}: {e.Message}");
        }
        using var _process = started;
        Live[_process.Id] = _process;
        try
        {
            await _process.WaitForExitAsync(cancellationToken);
            return _process.ExitCode;
        }
        finally
        {
            Kill(_process);
            Live.TryRemove(_process.Id, out _);
        }
    }

    /// <summary>Kills QEMU now (no guest shutdown); safe to call more than once.</summary>
    public void Kill() => Kill(_process);

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await Exited.WaitAsync(TimeSpan.FromSeconds(10));
            await _errorPump.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException)
        {
            // Already SIGKILLed; the kernel reaps it. Nothing more the harness can do.
        }
        Live.TryRemove(_process.Id, out _);
        _process.Dispose();
    }

    async Task<int> WaitForExitCodeAsync()
    {
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    async Task PumpErrorsAsync()
    {
        var buffer = new char[4096];
        int n;
        while ((n = await _process.StandardError.ReadAsync(buffer)) > 0)
            lock (_errors)
                if (_errors.Length < 1 << 20)
                    _errors.Append(buffer, 0, n);
    }

    static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    static void InstallExitHook()
    {
        if (Interlocked.Exchange(ref _exitHookInstalled, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                foreach (var p in Live.Values)
                    Kill(p);
            };
    }
}
