using Conformance.Executor.Features;
using Conformance.Machines;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using Microsoft.Extensions.Logging;

namespace Conformance.Executor;

/// <summary>
/// Up to <see cref="ExecutorOptions.PoolSize"/> machines lent out one user at a time. A machine is
/// booted on demand and its feature probe runs right after its boot, once; a healthy machine goes
/// back to the pool, a faulted one is disposed (its QEMU killed) and counted as a failure.
/// </summary>
sealed class MachinePool(Func<IMachine> factory, ExecutorOptions options, ILogger logger, Action<RetiredMachine> retired) : IAsyncDisposable
{
    /// <summary>How much of the console a start failure carries when the machine reported no fault excerpt.</summary>
    const int ExcerptChars = 4000;

    readonly SemaphoreSlim _slots = new(options.PoolSize, options.PoolSize);
    readonly Stack<ReadyMachine> _idle = new();
    int _booted, _failures;
    volatile bool _disposed;

    public int Booted => Volatile.Read(ref _booted);

    /// <summary>Machines that faulted, failed to boot or failed their probe so far.</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>A healthy idle machine, or a freshly booted and probed one. The caller must <see cref="Release"/> it.</summary>
    public async Task<ReadyMachine> TakeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            while (TryPopIdle() is { } candidate)
            {
                if (candidate.Machine.Fault is null)
                    return candidate;
                await RetireAsync(candidate.Machine, candidate.Info.Serial, candidate.Machine.Fault);
            }
            return await BootAsync(cancellationToken);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>
    /// Gives a machine back after its work: to the pool when it is healthy, else it is retired.
    /// <paramref name="fault"/> is the fault its work ran into (it may be one the machine itself
    /// never saw, such as a protocol error); null when the work went well or was abandoned.
    /// </summary>
    public async Task ReleaseAsync(ReadyMachine machine, bool healthy, MachineFault? fault = null)
    {
        try
        {
            fault ??= machine.Machine.Fault;
            if (healthy && fault is null && !_disposed)
            {
                lock (_idle)
                    _idle.Push(machine);
                return;
            }
            await RetireAsync(machine.Machine, machine.Info.Serial, fault);
        }
        finally
        {
            _slots.Release();
        }
    }

    ReadyMachine? TryPopIdle()
    {
        lock (_idle)
            return _idle.TryPop(out var m) ? m : null;
    }

    async Task<ReadyMachine> BootAsync(CancellationToken cancellationToken)
    {
        var serial = Interlocked.Increment(ref _booted);
        var machine = factory();
        var stage = StartStage.Boot;
        try
        {
            var session = await machine.StartAsync(cancellationToken);
            stage = StartStage.Probe;
            var features = await ProbeAsync(machine, session, cancellationToken);
            var profile = KernelProfiles.ForRelease(session.Hello.Release);
            var info = new MachineInfo(machine.Name, machine.Arch, serial, session.Hello, features, profile, machine.BootTime ?? session.ReadyAfter);
            logger.LogInformation("{Machine}: profile {Profile}, features {Features}", machine.Name, profile.Name, string.Join(" ", features.Present.Order()));
            return new ReadyMachine(machine, session, info);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var fault = (e as MachineFaultException)?.Fault ?? machine.Fault;
            var excerpt = fault?.Excerpt ?? Tail(machine.ConsoleText);
            if (fault is null)
                Interlocked.Increment(ref _failures);
            await RetireAsync(machine, serial, fault);
            throw new MachineStartException(machine.Name, stage, fault, excerpt, e);
        }
        catch
        {
            await RetireAsync(machine, serial, null);
            throw;
        }
    }

    static async Task<KernelFeatures> ProbeAsync(IMachine machine, AgentSession session, CancellationToken cancellationToken)
    {
        CaseResult? result = null;
        await foreach (var r in session.RunAsync([FeatureProbe.Request(machine.Arch, session.Hello.Helpers.Count > 0)], cancellationToken))
            result = r;
        return FeatureProbe.Interpret(result ?? throw new InvalidOperationException("the feature probe returned no result"), session.Hello);
    }

    /// <summary>Ends a machine for good. A fault counts against the restart budget.</summary>
    async Task RetireAsync(IMachine machine, int serial, MachineFault? fault)
    {
        if (fault is not null)
        {
            Interlocked.Increment(ref _failures);
            logger.LogInformation("Retiring {Machine}: {Kind}: {Summary}", machine.Name, fault.Kind, fault.Summary);
        }
        await machine.DisposeAsync();
        retired(new RetiredMachine(machine.Name, serial, machine.ConsoleText, fault));
    }

    static string Tail(string text) => text.Length > ExcerptChars ? text[^ExcerptChars..] : text;

    /// <summary>Ends every idle machine: QUIT first, so a guest shuts down cleanly; disposing kills whatever is left.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        List<ReadyMachine> machines;
        lock (_idle)
        {
            machines = [.. _idle];
            _idle.Clear();
        }
        foreach (var m in machines)
        {
            if (m.Machine.Fault is null)
            {
                using var limit = new CancellationTokenSource(options.QuitTimeout);
                try
                {
                    await m.Session.QuitAsync(limit.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or MachineFaultException or IOException)
                {
                    logger.LogDebug("{Machine}: QUIT did not end it: {Message}", m.Machine.Name, e.Message);
                }
            }
            await RetireAsync(m.Machine, m.Info.Serial, m.Machine.Fault);
        }
    }
}
