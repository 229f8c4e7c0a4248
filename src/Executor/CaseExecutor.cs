using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Conformance.Machines;
using Conformance.Machines.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Executor;

/// <summary>
/// Runs case programs on a pool of machines of one kind (one kernel). Machines boot on demand and
/// run the feature probe once after booting; every outcome names the machine that produced it. When
/// a machine faults under a program (panic, oops, hang, exit, protocol error) that program is blamed,
/// the machine is retired and the rest of the work goes on on a fresh machine, until more than
/// <see cref="ExecutorOptions.MaxRestarts"/> machines have failed; then work is not run any more.
/// Producers (the catalogue, a fuzzer) hand in programs and judge what comes back.
/// </summary>
public sealed class CaseExecutor : IAsyncDisposable
{
    readonly ExecutorOptions _options;
    readonly ILogger _logger;
    readonly MachinePool _pool;

    public CaseExecutor(Func<IMachine> createMachine, ExecutorOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new ExecutorOptions();
        _logger = logger ?? NullLogger.Instance;
        _pool = new MachinePool(createMachine, _options, _logger, m => MachineRetired?.Invoke(m));
    }

    /// <summary>Raised for every machine the executor ends, with its console text (for console logs).</summary>
    public event Action<RetiredMachine>? MachineRetired;

    /// <summary>How many machines were booted so far, replacements included.</summary>
    public int Booted => _pool.Booted;

    /// <summary>How many machines failed so far (faults under programs, failed boots or probes).</summary>
    public int Failures => _pool.Failures;

    bool BudgetSpent => _pool.Failures > _options.MaxRestarts;

    /// <summary>
    /// Makes a machine ready (booted and probed, unless one is idle already) and says what it is,
    /// so a producer can prepare its work for that kernel. Throws <see cref="MachineStartException"/>
    /// when the machine does not boot or its probe fails.
    /// </summary>
    public async Task<MachineInfo> StartAsync(CancellationToken cancellationToken)
    {
        var machine = await _pool.TakeAsync(cancellationToken);
        await _pool.ReleaseAsync(machine, healthy: true);
        return machine.Info;
    }

    /// <summary>
    /// <see cref="StartAsync(CancellationToken)"/> for <paramref name="machines"/> machines booting
    /// side by side, so work split over them does not wait for boots one after another. Says what
    /// the first ready machine is; throws only when none came up (a failed boot counts as a failure).
    /// </summary>
    public async Task<MachineInfo> StartAsync(int machines, CancellationToken cancellationToken)
    {
        var boots = Enumerable.Range(0, Math.Clamp(machines, 1, _options.PoolSize)).Select(_ => TryTakeAsync(cancellationToken)).ToList();
        var started = await Task.WhenAll(boots);
        foreach (var (machine, _) in started)
            if (machine is not null)
                await _pool.ReleaseAsync(machine, healthy: true);
        return started.FirstOrDefault(s => s.Item1 is not null).Item1?.Info ?? throw started[0].Item2!;
    }

    /// <summary>Runs one program; see <see cref="SubmitAsync(IReadOnlyList{CaseRequest}, CancellationToken)"/>.</summary>
    public async Task<CaseExecution> SubmitAsync(CaseRequest request, CancellationToken cancellationToken)
    {
        await foreach (var execution in SubmitAsync([request], cancellationToken))
            return execution;
        throw new InvalidOperationException("the executor returned nothing for a program");
    }

    /// <summary>
    /// Runs programs in order on one machine at a time and streams back one outcome per program, in
    /// order, as the agent finishes each. Case ids must be unique within the list. A fault blames the
    /// program that was running and the rest continue on a fresh machine. Cancelling stops at once
    /// and retires the machine in use.
    /// </summary>
    public async IAsyncEnumerable<CaseExecution> SubmitAsync(
        IReadOnlyList<CaseRequest> requests, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int next = 0;
        while (next < requests.Count)
        {
            if (BudgetSpent)
            {
                var reason = $"not run: the machine failed {_pool.Failures} times";
                for (; next < requests.Count; next++)
                    yield return CaseExecution.NotRun(requests[next], reason);
                yield break;
            }

            var (machine, startFailure) = await TryTakeAsync(cancellationToken);
            if (machine is null)
            {
                // A kernel that did not come up once rarely does the next time: give up on this work.
                for (; next < requests.Count; next++)
                    yield return CaseExecution.NotRun(requests[next], $"not run: {startFailure!.Message}");
                yield break;
            }

            var released = false;
            try
            {
                var batch = requests.Skip(next).ToList();
                await using var results = machine.Session.RunAsync(batch, cancellationToken).GetAsyncEnumerator(cancellationToken);
                while (true)
                {
                    MachineFault? fault = null;
                    try
                    {
                        if (!await results.MoveNextAsync())
                            break;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        fault = (e as MachineFaultException)?.Fault ?? machine.Machine.Fault
                            ?? new MachineFault(FaultKind.ProtocolError, $"{e.GetType().Name}: {e.Message}", machine.Session.ConsoleTail());
                    }
                    if (fault is not null)
                    {
                        var blamed = requests[next++];
                        _logger.LogWarning("{Machine}: {Fault} while running case {Case}; retiring it", machine.Info.Name, fault.Kind, blamed.CaseId);
                        released = true;
                        await _pool.ReleaseAsync(machine, healthy: false, fault);
                        yield return CaseExecution.Faulted(blamed, machine.Info, fault);
                        break;
                    }
                    yield return CaseExecution.Completed(requests[next++], machine.Info, results.Current);
                }
            }
            finally
            {
                // Here after the batch ran through, or when the consumer stopped early (the session
                // has drained the batch) or cancelled (the guest is still busy: never reuse it).
                if (!released)
                    await _pool.ReleaseAsync(machine, healthy: !cancellationToken.IsCancellationRequested);
            }
        }
    }

    /// <summary>
    /// Runs programs on up to <see cref="ExecutorOptions.PoolSize"/> machines at once and streams
    /// back one outcome per program in the order of <paramref name="requests"/>. The list is cut
    /// into chunks of <paramref name="chunkSize"/> that idle machines take in turn, so a machine
    /// slowed by heavy programs or a restart holds up only its own chunk; each chunk runs as
    /// <see cref="SubmitAsync(IReadOnlyList{CaseRequest}, CancellationToken)"/> does (faults
    /// blamed on the program that was running, the rest on a fresh machine).
    /// </summary>
    public async IAsyncEnumerable<CaseExecution> SubmitSplitAsync(
        IReadOnlyList<CaseRequest> requests, int chunkSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        if (_options.PoolSize == 1 || requests.Count <= chunkSize)
        {
            await foreach (var e in SubmitAsync(requests, cancellationToken))
                yield return e;
            yield break;
        }

        var chunks = requests.Chunk(chunkSize).ToArray();
        var outcomes = chunks.Select(_ => Channel.CreateUnbounded<CaseExecution>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true })).ToArray();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int taken = -1;

        async Task Work()
        {
            int k;
            while ((k = Interlocked.Increment(ref taken)) < chunks.Length)
            {
                var writer = outcomes[k].Writer;
                try
                {
                    await foreach (var e in SubmitAsync(chunks[k], stop.Token))
                        writer.TryWrite(e);
                    writer.TryComplete();
                }
                catch (Exception e)
                {
                    // Shown to the consumer when it reaches this chunk; the other machines stop.
                    writer.TryComplete(e);
                    stop.Cancel();
                    return;
                }
            }
        }

        var workers = Enumerable.Range(0, Math.Min(_options.PoolSize, chunks.Length)).Select(_ => Task.Run(Work, CancellationToken.None)).ToArray();
        try
        {
            foreach (var chunk in outcomes)
                await foreach (var e in chunk.Reader.ReadAllAsync(cancellationToken))
                    yield return e;
        }
        finally
        {
            // Here at the end, or when the consumer stopped early or cancelled: stop the other
            // machines' work too (a busy guest is retired, never reused) before returning.
            stop.Cancel();
            await Task.WhenAll(workers);
        }
    }

    async Task<(ReadyMachine?, MachineStartException?)> TryTakeAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await _pool.TakeAsync(cancellationToken), null);
        }
        catch (MachineStartException e)
        {
            return (null, e);
        }
    }

    /// <summary>Ends every machine: idle ones are asked to QUIT first; none is left running.</summary>
    public ValueTask DisposeAsync() => _pool.DisposeAsync();
}
