using System.Diagnostics;
using Conformance.Agent.Kernels;
using Conformance.Agent.Protocol;
using Conformance.Agent.Vm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Agent.Machines;

/// <summary>
/// A kernel booted in QEMU (TCG) with the agent as its /init, talking over the serial console.
/// Console text outside agent frames is kept (<see cref="ConsoleText"/>) and scanned for crashes;
/// the first crash aborts the session with a <see cref="MachineFault"/>. A guest that ends without
/// having been sent QUIT is a fault too (QEMU exits 0 after a panic as after a clean reboot).
/// Disposing kills QEMU; <see cref="StopAsync"/> asks the agent to reboot first.
/// </summary>
public sealed class QemuMachine : IMachine
{
    /// <summary>How long an exited QEMU's last output may take to reach the console monitor.</summary>
    static readonly TimeSpan DrainTime = TimeSpan.FromMilliseconds(500);

    readonly QemuMachineOptions options;
    readonly ILogger logger;
    readonly ConsoleMonitor monitor = new();
    QemuProcess? qemu;
    QuitWatchingStream? toGuest;
    AgentSession? session;
    CancellationTokenSource? bootAbort;
    Task? exitWatch;
    int started;
    volatile bool ending;   // the harness itself is ending the guest: its exit is no fault

    public QemuMachine(QemuMachineOptions options, ILogger? logger = null)
    {
        this.options = options;
        this.logger = logger ?? NullLogger.Instance;
        monitor.FaultDetected += OnFault;
    }

    public KernelDescriptor Kernel => options.Kernel;
    public string Name => $"qemu/{Arch}/{options.Kernel.Release}";
    public string Arch => options.Kernel.Arch.Name();
    public string ConsoleText => monitor.Text;
    /// <summary>A crash or exit seen on the console side, else whatever the session detected (a hang).</summary>
    public MachineFault? Fault => monitor.Fault ?? session?.Fault;

    /// <summary>Each complete console line as it arrives (for live display; not needed for detection).</summary>
    public event Action<string>? ConsoleLine
    {
        add => monitor.LineCompleted += value;
        remove => monitor.LineCompleted -= value;
    }

    /// <summary>The session once the agent said HELO.</summary>
    public AgentSession? Session => session;

    /// <summary>QEMU start to HELO (the boot time the benchmark reports).</summary>
    public TimeSpan? BootTime { get; private set; }

    /// <summary>CPU time QEMU had used when the agent was ready (the load-independent boot cost).</summary>
    public TimeSpan? BootCpuTime { get; private set; }

    /// <summary>The QEMU command line, once started.</summary>
    public string? CommandLine => qemu?.CommandLine;

    /// <summary>CPU time QEMU has used so far (see <see cref="QemuProcess.CpuTime"/>); null before start and once it is gone.</summary>
    public TimeSpan? CpuTime => qemu?.CpuTime;

    /// <summary>QEMU's process id once started (to check from outside that it is gone).</summary>
    public int? ProcessId => qemu?.Id;

    /// <summary>What QEMU printed on its stderr.</summary>
    public string QemuErrors => qemu?.ErrorText ?? "";

    /// <summary>True once the guest has ended (cleanly after QUIT, or not).</summary>
    public bool HasExited => qemu?.HasExited ?? false;

    public async Task<AgentSession> StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref started, 1) != 0)
            throw new InvalidOperationException($"{Name}: a machine is started once; create a new one to boot again");

        var accel = await AcceleratorProbe.ResolveAsync(options.Kernel.Arch, options.Accel, options.CacheRoot, logger, cancellationToken);
        if (accel != QemuAccel.Kvm || options.Accel != QemuAccel.Auto)
            return await LaunchAsync(accel, options.HelloTimeout, cancellationToken);

        // The probe said KVM works, but a KVM that runs firmware can still hang a kernel: give the
        // boot a KVM-sized time, and on a timeout mark KVM unusable here and boot under TCG.
        var kvmTimeout = options.HelloTimeout < KvmHelloTimeout ? options.HelloTimeout : KvmHelloTimeout;
        try
        {
            return await LaunchAsync(QemuAccel.Kvm, kvmTimeout, cancellationToken);
        }
        catch (MachineFaultException e) when (e.Fault.Kind == FaultKind.BootTimeout && !cancellationToken.IsCancellationRequested)
        {
            var why = $"{Name} did not reach the agent under KVM within {kvmTimeout.TotalSeconds:F0} s";
            logger.LogWarning("{Why}; KVM is now marked unusable on this host and the machine boots under TCG", why);
            await AcceleratorProbe.MarkKvmBrokenAsync(options.CacheRoot, why, cancellationToken);
            ending = true;
            if (exitWatch is not null)
                await exitWatch;
            ending = false;
            bootAbort?.Dispose();
            toGuest?.Dispose();
            if (qemu is not null)
                await qemu.DisposeAsync();
            monitor.StartOver($"=== conformance: {why}; booting again under TCG ===");
            return await LaunchAsync(QemuAccel.Tcg, options.HelloTimeout, cancellationToken);
        }
    }

    /// <summary>How long a KVM boot may take before KVM is judged to hang (healthy KVM boots in seconds).</summary>
    public static readonly TimeSpan KvmHelloTimeout = TimeSpan.FromSeconds(20);

    async Task<AgentSession> LaunchAsync(QemuAccel accel, TimeSpan helloTimeout, CancellationToken cancellationToken)
    {
        var spec = new QemuLaunchSpec(options.Kernel.Arch, options.Kernel.ImagePath, options.InitramfsPath)
        {
            MemoryMiB = options.MemoryMiB,
            Accel = accel,
            ExtraKernelArgs = options.ExtraKernelArgs,
            InitArgs = options.InitArgs,
        };
        bootAbort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        qemu = QemuProcess.Start(spec, logger);
        toGuest = new QuitWatchingStream(qemu.Input);
        exitWatch = WatchExitAsync(qemu);
        logger.LogDebug("{Name}: started QEMU {Pid} ({Accel})", Name, qemu.Id, accel);

        var connecting = Stopwatch.GetTimestamp();
        try
        {
            // The session's own hello timeout should fire first; this bound holds even if it does not.
            session = await AgentSession.ConnectAsync(qemu.Output, toGuest, monitor.Append, helloTimeout, logger, bootAbort.Token)
                .WaitAsync(helloTimeout + TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MachineFaultException(await BootFailureAsync(e, helloTimeout));
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            qemu.Kill();
            throw;
        }

        // QEMU start to the moment the session's reader saw HELO (not to when this continuation ran).
        BootTime = Stopwatch.GetElapsedTime(qemu.StartTimestamp, connecting) + session.ReadyAfter;
        BootCpuTime = qemu.CpuTime;
        monitor.MarkAgentReady();
        logger.LogDebug("{Name}: agent ready after {Seconds:F2} s", Name, BootTime.Value.TotalSeconds);
        if (monitor.Fault is { } early)
        {
            // Crashed between HELO and now: the session may have missed the abort.
            session.Abort(early);
            throw new MachineFaultException(early);
        }
        return session;
    }

    /// <summary>Why the agent never said HELO: a crash on the console, time, QEMU ending, or the protocol.</summary>
    async Task<MachineFault> BootFailureAsync(Exception error, TimeSpan helloTimeout)
    {
        var elapsed = Stopwatch.GetElapsedTime(qemu!.StartTimestamp);
        var timedOut = elapsed >= helloTimeout || error is TimeoutException
            || (error as MachineFaultException)?.Fault.Kind == FaultKind.BootTimeout;
        if (!timedOut)
        {
            // The serial stream can end a moment before the exit is seen: give QEMU that moment,
            // so that "QEMU exited, and said why" is told apart from a protocol failure.
            await Task.WhenAny(qemu.Exited, Task.Delay(TimeSpan.FromSeconds(2)));
        }
        var exitedByItself = qemu.HasExited;
        if (exitedByItself)
        {
            await Task.Delay(DrainTime);
            await qemu.WaitForErrorTextAsync(TimeSpan.FromSeconds(1));
        }
        qemu.Kill();
        var sessionFault = (error as MachineFaultException)?.Fault;
        if (monitor.Fault is { } crash)
            return crash;
        if (timedOut)
            return monitor.Report(FaultKind.BootTimeout, $"no HELO from the agent within {helloTimeout.TotalSeconds:F0} s");
        if (exitedByItself)
            return monitor.Report(FaultKind.UnexpectedExit,
                $"QEMU exited before the agent said HELO (exit code {qemu.Exited.Result}): "
                + $"{LastLine(qemu.ErrorText) ?? sessionFault?.Summary ?? error.Message}");
        return sessionFault is not null
            ? monitor.Report(sessionFault.Kind, sessionFault.Summary)
            : monitor.Report(FaultKind.ProtocolError, $"connecting to the agent failed: {error.Message}");
    }

    async Task WatchExitAsync(QemuProcess process)
    {
        var code = await process.Exited;
        if (ending)
        {
            monitor.Complete();
            return;
        }
        // The session is still reading whatever QEMU wrote last; give it a moment to land.
        await Task.Delay(DrainTime);
        await process.WaitForErrorTextAsync(TimeSpan.FromSeconds(1));
        monitor.Complete();
        if (toGuest?.QuitSent == true && monitor.Fault is null)
        {
            logger.LogDebug("{Name}: QEMU exited after QUIT", Name);
            return;
        }
        var fault = monitor.Fault ?? monitor.Report(FaultKind.UnexpectedExit,
            $"QEMU exited (code {code}) without the agent being asked to quit{(LastLine(process.ErrorText) is { } e ? ": " + e : "")}");
        OnFault(fault);
    }

    void OnFault(MachineFault fault)
    {
        logger.LogWarning("{Name}: {Kind}: {Summary}", Name, fault.Kind, fault.Summary);
        session?.Abort(fault);
        try
        {
            bootAbort?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Ends the guest politely: QUIT (the agent syncs and reboots, QEMU exits). Returns false when
    /// that did not happen within <paramref name="timeout"/>; QEMU is killed either way.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (qemu is null)
            return true;
        var clean = false;
        if (session is not null && !qemu.HasExited && monitor.Fault is null)
        {
            try
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                limit.CancelAfter(timeout);
                await session.QuitAsync(limit.Token);
                await qemu.Exited.WaitAsync(limit.Token);
                clean = toGuest!.QuitSent;
            }
            catch (Exception e) when (e is OperationCanceledException or MachineFaultException or IOException)
            {
                logger.LogDebug("{Name}: QUIT did not end the guest: {Message}", Name, e.Message);
            }
        }
        ending = true;
        qemu.Kill();
        return clean;
    }

    public async ValueTask DisposeAsync()
    {
        if (session is not null)
            await session.DisposeAsync();
        if (qemu is not null)
        {
            ending = true;
            await qemu.DisposeAsync();
            if (exitWatch is not null)
                await exitWatch;
        }
        bootAbort?.Dispose();
        toGuest?.Dispose();
    }

    static string? LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
}
