using Conformance.Machines.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Machines;

/// <summary>
/// Runs work on up to <see cref="Size"/> machines at once, booting them on demand and reusing
/// healthy ones. A machine that faulted (a crash on its console, a hang, an exit) is _disposed and
/// the next piece of work boots a fresh one; its fault reaches the caller as the
/// <see cref="MachineFaultException"/> the work threw. One TCG vCPU keeps one host core busy, so
/// the default size is the number of cores.
/// </summary>
public sealed class MachinePool : IAsyncDisposable
{
    readonly Func<IMachine> _factory;
    readonly ILogger _logger;
    readonly SemaphoreSlim _slots;
    readonly Stack<(IMachine Machine, AgentSession Session)> _idle = new();
    int _booted;
    bool _disposed;

    public MachinePool(Func<IMachine> factory, int size = 0, ILogger? logger = null)
    {
        _factory = factory;
        _logger = logger ?? NullLogger.Instance;
        Size = size > 0 ? size : DefaultSize;
        _slots = new SemaphoreSlim(Size, Size);
    }

    public static int DefaultSize => Math.Max(1, Environment.ProcessorCount);

    public int Size { get; }

    /// <summary>How many machines the pool has _booted so far (replacements included).</summary>
    public int Booted => Volatile.Read(ref _booted);

    /// <summary>
    /// Runs <paramref name="work"/> with a ready machine and its session. If the work throws
    /// <see cref="MachineFaultException"/>, or the machine has a fault afterwards, the machine is
    /// retired; otherwise it goes back to the pool.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<IMachine, AgentSession, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            var (machine, session) = await TakeAsync(cancellationToken);
            var healthy = false;
            try
            {
                var result = await work(machine, session, cancellationToken);
                healthy = machine.Fault is null;
                return result;
            }
            finally
            {
                if (healthy && !_disposed)
                {
                    lock (_idle)
                        _idle.Push((machine, session));
                }
                else
                {
                    if (machine.Fault is { } fault)
                        _logger.LogInformation("Retiring {Machine}: {Kind}: {Summary}", machine.Name, fault.Kind, fault.Summary);
                    await machine.DisposeAsync();
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>An _idle machine that is still healthy, or a freshly _booted one.</summary>
    async Task<(IMachine, AgentSession)> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            (IMachine Machine, AgentSession Session) candidate;
            lock (_idle)
                if (!_idle.TryPop(out candidate))
                    break;
            if (candidate.Machine.Fault is null)
                return candidate;
            _logger.LogInformation("Retiring _idle {Machine}: {Kind}", candidate.Machine.Name, candidate.Machine.Fault.Kind);
            await candidate.Machine.DisposeAsync();
        }

        var machine = _factory();
        Interlocked.Increment(ref _booted);
        try
        {
            return (machine, await machine.StartAsync(cancellationToken));
        }
        catch
        {
            await machine.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        List<(IMachine Machine, AgentSession Session)> machines;
        lock (_idle)
        {
            machines = [.. _idle];
            _idle.Clear();
        }
        foreach (var (machine, _) in machines)
            await machine.DisposeAsync();
    }
}
