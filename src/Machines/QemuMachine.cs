using System.Diagnostics;
using Conformance.Machines.Kernels;
using Conformance.Machines.Protocol;
using Conformance.Machines.Vm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Machines;

/// <summary>
/// A kernel booted in QEMU (TCG) with the agent as its /init, talking over its virtio port
/// (<see cref="AgentPort"/>, with <see cref="QemuMachineOptions.AgentPort"/>) or the serial console.
/// Console text outside agent frames is kept (<see cref="ConsoleText"/>) and scanned for crashes;
/// the first crash aborts the session with a <see cref="MachineFault"/>. A guest that ends without
/// having been sent QUIT is a fault too (QEMU exits 0 after a panic as after a clean reboot).
/// Disposing kills QEMU; <see cref="StopAsync"/> asks the agent to reboot first.
/// </summary>
public sealed class QemuMachine : IMachine
{
    /// <summary>How long an exited QEMU's last output may take to reach the console monitor.</summary>
    static readonly TimeSpan DrainTime = TimeSpan.FromMilliseconds(500);

    readonly QemuMachineOptions _options;
    readonly ILogger _logger;
    readonly ConsoleMonitor _monitor = new();
    QemuProcess? _qemu;
    QuitWatchingStream? _toGuest;
    AgentChannel? _channel;
    string? _socketPath;
    static int _sockets;
    AgentSession? _session;
    CancellationTokenSource? _bootAbort;
    Task? _exitWatch;
    int _started;
    volatile bool _ending;   // the harness itself is ending the guest: its exit is no fault

    public QemuMachine(QemuMachineOptions options, ILogger? logger = null)
    {
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _monitor.FaultDetected += OnFault;
    }

    public KernelDescriptor Kernel => _options.Kernel;
    public string Name => $"qemu/{Arch}/{_options.Kernel.Release}";
    public string Arch => _options.Kernel.Arch.Name();
    public string ConsoleText => _monitor.Text;
    /// <summary>A crash or exit seen on the console side, else whatever the session detected (a hang).</summary>
    public MachineFault? Fault => _monitor.Fault ?? _session?.Fault;

    /// <summary>Each complete console line as it arrives (for live display; not needed for detection).</summary>
    public event Action<string>? ConsoleLine
    {
        add => _monitor.LineCompleted += value;
        remove => _monitor.LineCompleted -= value;
    }

    /// <summary>The session once the agent said HELO.</summary>
    public AgentSession? Session => _session;

    /// <summary>QEMU start to HELO (the boot time the benchmark reports).</summary>
    public TimeSpan? BootTime { get; private set; }

    /// <summary>CPU time QEMU had used when the agent was ready (the load-independent boot cost).</summary>
    public TimeSpan? BootCpuTime { get; private set; }

    /// <summary>The QEMU command line, once started.</summary>
    public string? CommandLine => _qemu?.CommandLine;

    /// <summary>CPU time QEMU has used so far (see <see cref="QemuProcess.CpuTime"/>); null before start and once it is gone.</summary>
    public TimeSpan? CpuTime => _qemu?.CpuTime;

    /// <summary>QEMU's process id once started (to check from outside that it is gone).</summary>
    public int? ProcessId => _qemu?.Id;

    /// <summary>What QEMU printed on its stderr.</summary>
    public string QemuErrors => _qemu?.ErrorText ?? "";

    /// <summary>True once the guest has ended (cleanly after QUIT, or not).</summary>
    public bool HasExited => _qemu?.HasExited ?? false;

    public async Task<AgentSession> StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException($"{Name}: a machine is started once; create a new one to boot again");

        var accel = await AcceleratorProbe.ResolveAsync(_options.Kernel.Arch, _options.Accel, _options.CacheRoot, _logger, cancellationToken);
        if (accel != QemuAccel.Kvm || _options.Accel != QemuAccel.Auto)
            return await LaunchAsync(accel, _options.HelloTimeout, cancellationToken);

        // The probe said KVM works, but a KVM that runs firmware can still hang a kernel: give the
        // boot a KVM-sized time, and on a timeout mark KVM unusable here and boot under TCG.
        var kvmTimeout = _options.HelloTimeout < KvmHelloTimeout ? _options.HelloTimeout : KvmHelloTimeout;
        try
        {
            return await LaunchAsync(QemuAccel.Kvm, kvmTimeout, cancellationToken);
        }
        catch (MachineFaultException e) when (e.Fault.Kind == FaultKind.BootTimeout && !cancellationToken.IsCancellationRequested)
        {
            var why = $"{Name} did not reach the agent under KVM within {kvmTimeout.TotalSeconds:F0} s";
            _logger.LogWarning("{Why}; KVM is now marked unusable on this host and the machine boots under TCG", why);
            await AcceleratorProbe.MarkKvmBrokenAsync(_options.CacheRoot, why, cancellationToken);
            _ending = true;
            if (_exitWatch is not null)
                await _exitWatch;
            _ending = false;
            _bootAbort?.Dispose();
            _toGuest?.Dispose();
            if (_qemu is not null)
                await _qemu.DisposeAsync();
            await CloseChannelAsync();
            _monitor.StartOver($"=== conformance: {why}; booting again under TCG ===");
            return await LaunchAsync(QemuAccel.Tcg, _options.HelloTimeout, cancellationToken);
        }
    }

    /// <summary>How long a KVM boot may take before KVM is judged to hang (healthy KVM boots in seconds).</summary>
    public static readonly TimeSpan KvmHelloTimeout = TimeSpan.FromSeconds(20);

    async Task<AgentSession> LaunchAsync(QemuAccel accel, TimeSpan helloTimeout, CancellationToken cancellationToken)
    {
        var spec = new QemuLaunchSpec(_options.Kernel.Arch, _options.Kernel.ImagePath, _options.InitramfsPath)
        {
            MemoryMiB = _options.MemoryMiB,
            Accel = accel,
            ExtraKernelArgs = _options.ExtraKernelArgs,
            InitArgs = _options.InitArgs,
            // Short and under /tmp: a UNIX socket path has room for 107 bytes.
            AgentSocket = _socketPath = _options.AgentPort ? $"/tmp/conformance-agent-{Environment.ProcessId}-{Interlocked.Increment(ref _sockets)}.sock" : null,
        };
        _bootAbort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _qemu = QemuProcess.Start(spec, _logger);
        _exitWatch = WatchExitAsync(_qemu);
        _logger.LogDebug("{Name}: started QEMU {Pid} ({Accel})", Name, _qemu.Id, accel);

        var connecting = Stopwatch.GetTimestamp();
        try
        {
            _channel = await AgentChannel.OpenAsync(_qemu.Output, _qemu.Input, _socketPath, TimeSpan.FromSeconds(10), _logger, _bootAbort.Token);
            _toGuest = new QuitWatchingStream(_channel.ToGuest);
            // The session's own hello timeout should fire first; this bound holds even if it does not.
            _session = await AgentSession.ConnectAsync(_channel.FromGuest, _toGuest, _monitor.Append, helloTimeout, _logger, _bootAbort.Token)
                .WaitAsync(helloTimeout + TimeSpan.FromSeconds(5), cancellationToken);
            if (_session.Hello.SpeaksOnPort)
                _channel.UsePort();
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MachineFaultException(await BootFailureAsync(e, helloTimeout));
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            _qemu.Kill();
            throw;
        }

        // QEMU start to the moment the session's reader saw HELO (not to when this continuation ran).
        BootTime = Stopwatch.GetElapsedTime(_qemu.StartTimestamp, connecting) + _session.ReadyAfter;
        BootCpuTime = _qemu.CpuTime;
        _monitor.MarkAgentReady();
        _logger.LogDebug("{Name}: agent ready after {Seconds:F2} s", Name, BootTime.Value.TotalSeconds);
        if (_monitor.Fault is { } early)
        {
            // Crashed between HELO and now: the session may have missed the abort.
            _session.Abort(early);
            throw new MachineFaultException(early);
        }
        return _session;
    }

    /// <summary>Why the agent never said HELO: a crash on the console, time, QEMU ending, or the protocol.</summary>
    async Task<MachineFault> BootFailureAsync(Exception error, TimeSpan helloTimeout)
    {
        var elapsed = Stopwatch.GetElapsedTime(_qemu!.StartTimestamp);
        var timedOut = elapsed >= helloTimeout || error is TimeoutException
            || (error as MachineFaultException)?.Fault.Kind == FaultKind.BootTimeout;
        if (!timedOut)
        {
            // The serial stream can end a moment before the exit is seen: give QEMU that moment,
            // so that "QEMU exited, and said why" is told apart from a protocol failure.
            await Task.WhenAny(_qemu.Exited, Task.Delay(TimeSpan.FromSeconds(2)));
        }
        var exitedByItself = _qemu.HasExited;
        if (exitedByItself)
        {
            await Task.Delay(DrainTime);
            await _qemu.WaitForErrorTextAsync(TimeSpan.FromSeconds(1));
        }
        _qemu.Kill();
        var sessionFault = (error as MachineFaultException)?.Fault;
        if (_monitor.Fault is { } crash)
            return crash;
        if (timedOut)
            return _monitor.Report(FaultKind.BootTimeout, $"no HELO from the agent within {helloTimeout.TotalSeconds:F0} s");
        if (exitedByItself)
            return _monitor.Report(FaultKind.UnexpectedExit,
                $"QEMU exited before the agent said HELO (exit code {_qemu.Exited.Result}): "
                + $"{LastLine(_qemu.ErrorText) ?? sessionFault?.Summary ?? error.Message}");
        return sessionFault is not null
            ? _monitor.Report(sessionFault.Kind, sessionFault.Summary)
            : _monitor.Report(FaultKind.ProtocolError, $"connecting to the agent failed: {error.Message}");
    }

    async Task WatchExitAsync(QemuProcess process)
    {
        var code = await process.Exited;
        if (_ending)
        {
            _monitor.Complete();
            return;
        }
        // The session is still reading whatever QEMU wrote last; give it a moment to land.
        await Task.Delay(DrainTime);
        await process.WaitForErrorTextAsync(TimeSpan.FromSeconds(1));
        _monitor.Complete();
        if (_toGuest?.QuitSent == true && _monitor.Fault is null)
        {
            _logger.LogDebug("{Name}: QEMU exited after QUIT", Name);
            return;
        }
        var fault = _monitor.Fault ?? _monitor.Report(FaultKind.UnexpectedExit,
            $"QEMU exited (code {code}) without the agent being asked to quit{(LastLine(process.ErrorText) is { } e ? ": " + e : "")}");
        OnFault(fault);
    }

    void OnFault(MachineFault fault)
    {
        _logger.LogWarning("{Name}: {Kind}: {Summary}", Name, fault.Kind, fault.Summary);
        _session?.Abort(fault);
        try
        {
            _bootAbort?.Cancel();
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
        if (_qemu is null)
            return true;
        var clean = false;
        if (_session is not null && !_qemu.HasExited && _monitor.Fault is null)
        {
            try
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                limit.CancelAfter(timeout);
                await _session.QuitAsync(limit.Token);
                await _qemu.Exited.WaitAsync(limit.Token);
                clean = _toGuest!.QuitSent;
            }
            catch (Exception e) when (e is OperationCanceledException or MachineFaultException or IOException)
            {
                _logger.LogDebug("{Name}: QUIT did not end the guest: {Message}", Name, e.Message);
            }
        }
        _ending = true;
        _qemu.Kill();
        return clean;
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
            await _session.DisposeAsync();
        if (_qemu is not null)
        {
            _ending = true;
            await _qemu.DisposeAsync();
            if (_exitWatch is not null)
                await _exitWatch;
        }
        _bootAbort?.Dispose();
        _toGuest?.Dispose();
        await CloseChannelAsync();
    }

    async Task CloseChannelAsync()
    {
        if (_channel is not null)
            await _channel.DisposeAsync();
        _channel = null;
        if (_socketPath is not null)
            File.Delete(_socketPath);
    }

    static string? LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
}
