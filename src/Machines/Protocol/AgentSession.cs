using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Conformance.Machines;
using Microsoft.Extensions.Logging;

namespace Conformance.Machines.Protocol;

/// <summary>
/// A talk with one running agent over a pair of byte streams (docs/agent-protocol.md). A reader
/// task splits the guest's stream into console text and frames, puts frames back in sequence
/// order (asking for lost or corrupt ones again with RSND, a bounded number of times) and hands
/// them on. Batches stream back case by case; each case has a watchdog (its timeout plus
/// <see cref="Grace"/>) past which the session reports a Hang fault.
/// </summary>
public sealed class AgentSession : IAsyncDisposable
{
    /// <summary>The protocol this host speaks (HELO's first field; docs/agent-protocol.md). 2: ERRR carries a code.</summary>
    public const uint ProtocolVersion = 2;
    /// <summary>How many times one guest frame may be asked for again before the session gives up.</summary>
    public const int MaxResends = 8;
    /// <summary>Cases per RUNB frame at most (the session splits longer lists).</summary>
    public const int MaxCasesPerBatch = 1024;
    /// <summary>
    /// RUNB payload bytes at most (the agent takes 4 MiB). Each batch boundary costs a round trip
    /// and the next batch's transfer and inflating before its first case (60-230 ms each in the
    /// catalogue's trace at 256 KiB), so the whole catalogue travels as one batch; on the wire it
    /// is RUNZ, about fifty times smaller.
    /// </summary>
    public const int MaxBatchBytes = 1024 * 1024;

    readonly Stream _fromGuest, _toGuest;
    readonly Action<string> _onConsoleText;
    readonly ILogger _logger;
    readonly Stopwatch _sinceStart = Stopwatch.StartNew();
    readonly SemaphoreSlim _writeLock = new(1, 1), _runLock = new(1, 1);
    readonly CancellationTokenSource _stop = new();
    readonly Channel<Frame> _batchFrames = Channel.CreateUnbounded<Frame>(new UnboundedChannelOptions { SingleReader = true });
    readonly TaskCompletionSource<Hello> _hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Dictionary<uint, TaskCompletionSource<bool>> _pongs = [];
    readonly object _gate = new();
    readonly FrameScanner _scanner;
    readonly StringBuilder _consoleTail = new();

    // Guest-to-host sequencing (touched by the reader task only).
    uint _nextSeq;
    readonly Dictionary<uint, Frame> _early = [];
    readonly Dictionary<uint, int> _resends = [];

    uint _outSeq, _batchId, _nonce;
    volatile MachineFault? _fault;
    volatile bool _quitting;
    Task _reader = Task.CompletedTask;
    TimeSpan _readyAfter;

    AgentSession(Stream fromGuest, Stream toGuest, Action<string> onConsoleText, ILogger logger)
    {
        _fromGuest = fromGuest;
        _toGuest = toGuest;
        _onConsoleText = onConsoleText;
        _logger = logger;
        _scanner = new FrameScanner(OnFrame, OnText, OnCorrupt);
    }

    /// <summary>
    /// Reads from <paramref name="fromGuest"/> until the agent's HELO arrives. Text outside frames
    /// (kernel console output) goes to <paramref name="onConsoleText"/> as it arrives, for the whole
    /// life of the session. Throws <see cref="MachineFaultException"/> (BootTimeout, or the fault
    /// that ended the stream) when no HELO comes.
    /// </summary>
    public static async Task<AgentSession> ConnectAsync(
        Stream fromGuest, Stream toGuest, Action<string> onConsoleText, TimeSpan helloTimeout,
        ILogger logger, CancellationToken cancellationToken)
    {
        var s = new AgentSession(fromGuest, toGuest, onConsoleText, logger);
        s._reader = Task.Run(s.ReadLoopAsync, CancellationToken.None);
        var timeout = Task.Delay(helloTimeout, cancellationToken);
        var first = await Task.WhenAny(s._hello.Task, timeout).ConfigureAwait(false);
        if (first != s._hello.Task)
        {
            cancellationToken.ThrowIfCancellationRequested();
            s.Abort(new MachineFault(FaultKind.BootTimeout, $"no HELO from the agent within {helloTimeout.TotalSeconds:0.#} s", s.ConsoleTail()));
        }
        try { await s._hello.Task.ConfigureAwait(false); }
        catch
        {
            await s.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return s;
    }

    public Hello Hello => _hello.Task.IsCompletedSuccessfully ? _hello.Task.Result : throw new InvalidOperationException("no HELO yet");

    /// <summary>Time from session creation (machine start) to HELO.</summary>
    public TimeSpan ReadyAfter => _readyAfter;

    /// <summary>QUIT was sent: the agent's exit or the guest's reboot that follows is expected.</summary>
    public bool QuitRequested => _quitting;

    /// <summary>The fault that ended the session, if any.</summary>
    public MachineFault? Fault => _fault;

    /// <summary>Extra time a case gets past its own timeout before the session declares a hang.</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>After the grace, the session asks for the missing frame once and waits this long more.</summary>
    public TimeSpan ResendProbeWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs a batch; yields each case's result as it arrives. A case gets its timeout plus a grace
    /// period; past that the session reports a Hang fault. After <see cref="Abort"/> or a fault,
    /// throws <see cref="MachineFaultException"/>; results already yielded stay valid.
    /// </summary>
    public async IAsyncEnumerable<CaseResult> RunAsync(IReadOnlyList<CaseRequest> cases, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _runLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var chunk in Chunks(cases))
            {
                var batch = new BatchRun(this, ++_batchId, chunk);
                try
                {
                    await batch.StartAsync(cancellationToken).ConfigureAwait(false);
                    while (await batch.NextAsync(cancellationToken).ConfigureAwait(false) is { } result)
                        yield return result;
                }
                finally
                {
                    // A caller that stops early leaves results in flight: drain them so the next
                    // batch starts clean. A cancelled caller is not kept waiting for the batch:
                    // results of an abandoned batch are told apart by its id if the session goes on.
                    if (!batch.Finished && _fault == null && !cancellationToken.IsCancellationRequested)
                        await batch.DrainAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _runLock.Release();
        }
    }

    public async Task<bool> PingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        ThrowIfFaulted();
        uint nonce;
        var tcs = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) { nonce = ++_nonce; _pongs[nonce] = tcs; }
        try
        {
            var payload = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(payload, nonce);
            await SendAsync(FrameType.Ping, payload, cancellationToken).ConfigureAwait(false);
            var done = await Task.WhenAny(tcs.Task, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return done == tcs.Task && tcs.Task.Result;
        }
        finally
        {
            lock (_gate) _pongs.Remove(nonce);
        }
    }

    /// <summary>Asks the agent to exit (host) or reboot the guest (VM); waits up to 10 s for its output to end.</summary>
    public async Task QuitAsync(CancellationToken cancellationToken)
    {
        if (_fault != null || _ended.Task.IsCompleted) return;
        _quitting = true;
        await SendAsync(FrameType.Quit, [], cancellationToken).ConfigureAwait(false);
        await Task.WhenAny(_ended.Task, Task.Delay(TimeSpan.FromSeconds(10), cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The machine under the session failed: wake any pending RunAsync with this fault.</summary>
    public void Abort(MachineFault fault)
    {
        lock (_gate)
        {
            if (_fault != null) return;
            _fault = fault;
            foreach (var p in _pongs.Values) p.TrySetResult(false);
        }
        _logger.LogWarning("agent session aborted: {Kind}: {Summary}", fault.Kind, fault.Summary);
        _hello.TrySetException(new MachineFaultException(fault));
        _batchFrames.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _batchFrames.Writer.TryComplete();
        // The streams belong to the machine; a blocked read ends when it closes them.
        await Task.WhenAny(_reader, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
    }

    void ThrowIfFaulted()
    {
        if (_fault is { } f) throw new MachineFaultException(f);
    }

    /// <summary>The last few KiB of console text, for fault excerpts.</summary>
    public string ConsoleTail()
    {
        lock (_consoleTail) return _consoleTail.ToString();
    }

    IEnumerable<List<CaseRequest>> Chunks(IReadOnlyList<CaseRequest> cases)
    {
        var chunk = new List<CaseRequest>();
        int bytes = 8;
        foreach (var c in cases)
        {
            int size = BatchEncoder.EncodedSize(c);
            if (chunk.Count > 0 && (chunk.Count == MaxCasesPerBatch || bytes + size > MaxBatchBytes))
            {
                yield return chunk;
                chunk = [];
                bytes = 8;
            }
            chunk.Add(c);
            bytes += size;
        }
        if (chunk.Count > 0) yield return chunk;
    }

    async Task SendAsync(string type, byte[] payload, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var line = FrameCodec.Encode(type, _outSeq++, payload);
            await _toGuest.WriteAsync(line, ct).ConfigureAwait(false);
            await _toGuest.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Abort(new MachineFault(FaultKind.UnexpectedExit, $"cannot write to the agent: {e.Message}", ConsoleTail()));
            throw new MachineFaultException(_fault!);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    void SendInBackground(string type, byte[] payload)
    {
        _ = Task.Run(async () =>
        {
            try { await SendAsync(type, payload, CancellationToken.None).ConfigureAwait(false); }
            catch (Exception e) { _logger.LogDebug(e, "sending {Type} failed", type); }
        });
    }

    async Task ReadLoopAsync()
    {
        var buf = new byte[64 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int n = await _fromGuest.ReadAsync(buf, _stop.Token).ConfigureAwait(false);
                if (n == 0) break;
                _scanner.Feed(buf.AsSpan(0, n));
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _logger.LogDebug(e, "agent stream read failed");
        }
        catch (Exception e)
        {
            _logger.LogError(e, "agent session reader failed");
            Abort(new MachineFault(FaultKind.ProtocolError, $"session reader failed: {e.Message}", ConsoleTail()));
        }
        _scanner.Flush();
        if (!_quitting && !_stop.IsCancellationRequested)
            Abort(new MachineFault(FaultKind.UnexpectedExit, "the agent's output ended", ConsoleTail()));
        _ended.TrySetResult();
        _batchFrames.Writer.TryComplete();
    }

    void OnText(string text)
    {
        lock (_consoleTail)
        {
            _consoleTail.Append(text);
            if (_consoleTail.Length > 8192) _consoleTail.Remove(0, _consoleTail.Length - 8192);
        }
        try { _onConsoleText(text); }
        catch (Exception e) { _logger.LogError(e, "console text handler failed"); }
    }

    void OnCorrupt(string reason, uint? seq)
    {
        uint want = seq is { } s && s >= _nextSeq && s - _nextSeq < 100_000 ? s : _nextSeq;
        _logger.LogDebug("corrupt frame from the agent ({Reason}); asking for {Seq} again", reason, want);
        RequestResend(want);
    }

    void RequestResend(uint seq)
    {
        lock (_resends)
        {
            _resends.TryGetValue(seq, out var count);
            if (count >= MaxResends)
            {
                Abort(new MachineFault(FaultKind.ProtocolError, $"frame {seq} from the agent stayed corrupt after {MaxResends} resends", ConsoleTail()));
                return;
            }
            _resends[seq] = count + 1;
        }
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(payload, seq);
        SendInBackground(FrameType.Resend, payload);
    }

    void OnFrame(Frame f)
    {
        if (f.Seq < _nextSeq) return;   // a resent frame we already had
        if (f.Seq > _nextSeq)
        {
            if (_early.TryAdd(f.Seq, f))
                for (uint s = _nextSeq; s < f.Seq; s++)
                {
                    bool asked;
                    lock (_resends) asked = _resends.ContainsKey(s);
                    if (!_early.ContainsKey(s) && !asked)
                        RequestResend(s);
                }
            return;
        }
        Deliver(f);
        _nextSeq++;
        while (_early.Remove(_nextSeq, out var next))
        {
            Deliver(next);
            _nextSeq++;
        }
    }

    void Deliver(Frame f)
    {
        lock (_resends) _resends.Remove(f.Seq);
        switch (f.Type)
        {
            case FrameType.Hello:
                try
                {
                    var hello = Hello.Decode(f.Payload);
                    if (hello.Protocol != ProtocolVersion)
                        Abort(new MachineFault(FaultKind.ProtocolError, $"agent speaks protocol {hello.Protocol}, not {ProtocolVersion}", ConsoleTail()));
                    else
                    {
                        _readyAfter = _sinceStart.Elapsed;
                        _hello.TrySetResult(hello);
                    }
                }
                catch (ProtocolDecodeException e)
                {
                    Abort(new MachineFault(FaultKind.ProtocolError, $"bad HELO: {e.Message}", ConsoleTail()));
                }
                break;
            case FrameType.Pong:
                if (f.Payload.Length == 4)
                {
                    uint nonce = BinaryPrimitives.ReadUInt32LittleEndian(f.Payload);
                    lock (_gate)
                        if (_pongs.TryGetValue(nonce, out var tcs)) tcs.TrySetResult(true);
                }
                break;
            case FrameType.Result:
            case FrameType.ResultCompressed:
            case FrameType.Done:
                _batchFrames.Writer.TryWrite(f);
                break;
            case FrameType.Error:
                try
                {
                    var error = AgentError.Decode(f.Payload);
                    _logger.LogWarning("agent error {Code}: {Message}", error.Code, error.Message);
                    _batchFrames.Writer.TryWrite(f);
                }
                catch (ProtocolDecodeException e)
                {
                    _logger.LogWarning("undecodable ERRR from the agent: {Message}", e.Message);
                }
                break;
            default:
                _logger.LogWarning("unexpected frame {Type} from the agent", f.Type);
                break;
        }
    }

    /// <summary>One RUNB and its results.</summary>
    sealed class BatchRun(AgentSession session, uint batchId, List<CaseRequest> cases)
    {
        const int MaxBatchResends = 3;
        // Programs compress about fiftyfold, and every byte on an emulated serial line costs guest time.
        readonly (string Type, byte[] Payload) _frame = session.Hello.TakesCompressedBatches
            ? (FrameType.RunCompressed, BatchCompression.Compress(BatchEncoder.Encode(batchId, cases)))
            : (FrameType.RunBatch, BatchEncoder.Encode(batchId, cases));
        int _next, _batchResends;
        public bool Finished { get; private set; }

        public Task StartAsync(CancellationToken ct) => session.SendAsync(_frame.Type, _frame.Payload, ct);

        TimeSpan Budget => (_next < cases.Count ? cases[_next].Timeout : TimeSpan.Zero) + session.Grace;

        /// <summary>The next case's result, or null after DONE.</summary>
        public async Task<CaseResult?> NextAsync(CancellationToken ct)
        {
            var deadline = Stopwatch.StartNew();
            var budget = Budget;
            bool probed = false;
            while (true)
            {
                // Frames that arrived before the fault come first: a result the agent sent before
                // the kernel crashed belongs to its case, and the crash to the case after it.
                if (session._batchFrames.Reader.TryRead(out var f))
                {
                    if (Handle(f) is { } outcome) return outcome.Result;
                    continue;
                }
                session.ThrowIfFaulted();
                var left = budget - deadline.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    if (!probed)
                    {
                        // Maybe the result went missing whole (its magic destroyed): ask for it.
                        probed = true;
                        budget += session.ResendProbeWait;
                        session.RequestResend(session._nextSeq);
                        continue;
                    }
                    var which = _next < cases.Count ? $"case {cases[_next].CaseId}" : $"the end of batch {batchId}";
                    session.Abort(new MachineFault(FaultKind.Hang,
                        $"no result for {which} within its timeout plus {session.Grace.TotalSeconds:0.#} s", session.ConsoleTail()));
                    continue;
                }
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(left);
                try
                {
                    if (!await session._batchFrames.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                    {
                        session.ThrowIfFaulted();
                        throw new MachineFaultException(new MachineFault(FaultKind.UnexpectedExit, "the agent session ended", session.ConsoleTail()));
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
            }
        }

        /// <summary>Null to keep waiting; a wrapper (possibly of null) when NextAsync should return.</summary>
        Outcome? Handle(Frame f)
        {
            switch (f.Type)
            {
                case FrameType.Result:
                case FrameType.ResultCompressed:
                    ResultFrame r;
                    try { r = ResultFrame.Decode(f.Type == FrameType.Result ? f.Payload : ResultCompression.Decompress(f.Payload)); }
                    catch (ProtocolDecodeException e)
                    {
                        session.Abort(new MachineFault(FaultKind.ProtocolError, $"bad {f.Type} frame {f.Seq}: {e.Message}", session.ConsoleTail()));
                        return null;
                    }
                    if (r.BatchId != batchId) return null;   // left over from an abandoned batch
                    if (_next >= cases.Count || r.Result.CaseId != cases[_next].CaseId)
                    {
                        session.Abort(new MachineFault(FaultKind.ProtocolError,
                            $"RSLT for case {r.Result.CaseId} where case {(_next < cases.Count ? cases[_next].CaseId.ToString() : "none")} was due", session.ConsoleTail()));
                        return null;
                    }
                    _next++;
                    return new Outcome(r.Result);
                case FrameType.Done:
                    uint doneBatch = f.Payload.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(f.Payload) : 0;
                    if (doneBatch != batchId) return null;
                    Finished = true;
                    if (_next != cases.Count)
                        session.Abort(new MachineFault(FaultKind.ProtocolError,
                            $"DONE for batch {batchId} after {_next} of {cases.Count} results", session.ConsoleTail()));
                    return new Outcome(null);
                case FrameType.Error:
                    // Delivered only once decoded (see Deliver).
                    var error = AgentError.Decode(f.Payload);
                    if (error.Code == AgentErrorCode.CorruptFrame && _next == 0 && !Finished)
                    {
                        if (++_batchResends > MaxBatchResends)
                            session.Abort(new MachineFault(FaultKind.ProtocolError, $"the agent could not read batch {batchId}: {error.Message}", session.ConsoleTail()));
                        else
                            session.SendInBackground(_frame.Type, _frame.Payload);
                    }
                    else if (error.Code is AgentErrorCode.BatchRejected or AgentErrorCode.OutOfMemory && !Finished)
                        session.Abort(new MachineFault(FaultKind.ProtocolError, $"the agent did not run batch {batchId}: {error.Message}", session.ConsoleTail()));
                    return null;
                default:
                    return null;
            }
        }

        public async Task DrainAsync()
        {
            try
            {
                while (await NextAsync(CancellationToken.None).ConfigureAwait(false) != null) { }
            }
            catch (MachineFaultException) { }
        }

        sealed record Outcome(CaseResult? Result);
    }
}
