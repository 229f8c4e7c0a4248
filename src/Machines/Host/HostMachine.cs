using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Conformance.Machines;
using Conformance.Machines.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Machines.Host;

/// <summary>
/// The host's own kernel: the native agent runs as a child process
/// (<c>agent --serve --helper &lt;compat helper&gt;</c>) speaking the protocol on its stdin/stdout;
/// its stderr is the "console". Filters are only ever installed in processes the agent forks.
/// </summary>
public sealed class HostMachine : IMachine
{
    readonly ILogger _logger;
    readonly StringBuilder _console = new();
    Process? _process;
    AgentSession? _session;
    volatile MachineFault? _fault;

    public HostMachine(ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        Arch = RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => "x86_64",
            System.Runtime.InteropServices.Architecture.Arm64 => "aarch64",
            var a => throw new PlatformNotSupportedException($"no agent for host architecture {a}"),
        };
        Release = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.Version.ToString();
    }

    /// <summary>The agent's environment switch for <see cref="PretendFilters"/>.</summary>
    public const string PretendFiltersVariable = "CONFORMANCE_PRETEND_FILTERS";

    public string Name => $"host/{Arch}/{Release}";
    public string Arch { get; }
    public string Release { get; }

    /// <summary>
    /// Test-only: the agent runs every filter install in a throwaway child, so the kernel's checks
    /// answer but no filter is ever attached (docs/agent-protocol.md §2). A run with it shows which
    /// cases would pass without a filter.
    /// </summary>
    public bool PretendFilters { get; init; }

    /// <summary>How long to wait for the agent's HELO.</summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public string ConsoleText
    {
        get { lock (_console) return _console.ToString(); }
    }

    public MachineFault? Fault => _fault ?? _session?.Fault;

    /// <summary>The session starts with the agent's spawn, so its time to HELO is the boot time.</summary>
    public TimeSpan? BootTime => _session?.ReadyAfter;

    public async Task<AgentSession> StartAsync(CancellationToken cancellationToken)
    {
        if (_process != null) throw new InvalidOperationException($"{Name} was already started");
        var agent = AgentBinaries.Agent(Arch);
        var helper = AgentBinaries.Helper(Arch);
        var psi = new ProcessStartInfo(agent, ["--serve", "--helper", helper])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (PretendFilters) psi.Environment[PretendFiltersVariable] = "1";
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {agent}");
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => OnExited();
        _ = PumpStderrAsync(_process.StandardError);
        _session = await AgentSession.ConnectAsync(_process.StandardOutput.BaseStream, _process.StandardInput.BaseStream,
            AppendConsole, HelloTimeout, _logger, cancellationToken).ConfigureAwait(false);
        return _session;
    }

    void AppendConsole(string text)
    {
        lock (_console)
        {
            _console.Append(text);
            if (_console.Length > 1 << 20) _console.Remove(0, _console.Length - (1 << 19));
        }
    }

    async Task PumpStderrAsync(StreamReader stderr)
    {
        var buf = new char[4096];
        try
        {
            int n;
            while ((n = await stderr.ReadAsync(buf).ConfigureAwait(false)) > 0)
                AppendConsole(new string(buf, 0, n));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }

    void OnExited()
    {
        if (_disposing) return;
        int code = -1;
        try { code = _process!.ExitCode; } catch (InvalidOperationException) { }
        if (code == 0 && (_quit || _session?.QuitRequested == true)) return;
        var fault = new MachineFault(FaultKind.UnexpectedExit, $"the agent exited with status {code}", ConsoleText);
        _fault ??= fault;
        _session?.Abort(fault);
    }

    volatile bool _disposing, _quit;

    public async ValueTask DisposeAsync()
    {
        if (_session != null && _fault == null && _session.Fault == null)
        {
            _quit = true;
            try { await _session.QuitAsync(CancellationToken.None).ConfigureAwait(false); }
            catch (MachineFaultException) { }
        }
        _disposing = true;
        if (_process != null)
        {
            try
            {
                if (!_process.HasExited && !_process.WaitForExit(2000))
                    _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException) { }
        }
        if (_session != null) await _session.DisposeAsync().ConfigureAwait(false);
        _process?.Dispose();
    }
}
