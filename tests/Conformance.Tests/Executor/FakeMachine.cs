using Conformance.Machines;
using Conformance.Machines.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Executor;

/// <summary>What a fake machine's agent does with one case.</summary>
enum FakeBehaviour { Answer, Panic, Stall }

/// <summary>
/// An IMachine whose agent is a script over a <see cref="FakeGuest"/>: it answers every case
/// (the feature probe included) with one MARK of the case id, except where the test's script says
/// the kernel panics (the session is aborted as the console monitor would) or the agent stalls.
/// With <c>probeAnswers</c> the feature probe is answered with those system call returns instead.
/// </summary>
sealed class FakeMachine(int serial, Func<uint, FakeBehaviour> script, IReadOnlyList<(ushort Step, long Ret)>? probeAnswers = null) : IMachine
{
    readonly FakeGuest _guest = new();
    readonly List<uint> _seen = [];
    AgentSession? _session;
    MachineFault? _panic;

    public string Name => $"fake/x86_64/{serial}";
    public string Arch => "x86_64";
    public string ConsoleText { get; private set; } = "";
    public MachineFault? Fault => _panic ?? _session?.Fault;
    public TimeSpan? BootTime => _session?.ReadyAfter;

    /// <summary>Case ids the agent was given, in order (0 is the feature probe).</summary>
    public IReadOnlyList<uint> Seen
    {
        get { lock (_seen) return [.. _seen]; }
    }

    public bool Disposed { get; private set; }

    /// <summary>Completes when the agent has received a case it stalls on.</summary>
    public TaskCompletionSource Stalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<AgentSession> StartAsync(CancellationToken cancellationToken)
    {
        _guest.Raw("[    0.0] Linux version fake\n");
        _guest.Hello();
        _session = await AgentSession.ConnectAsync(_guest.ToHost, _guest.FromHost, OnConsole,
            TimeSpan.FromSeconds(30), NullLogger.Instance, cancellationToken);
        _ = Task.Run(ServeAsync, CancellationToken.None);
        return _session;
    }

    /// <summary>As QemuMachine's console monitor does: a panic on the console aborts the session, in stream order.</summary>
    void OnConsole(string text)
    {
        ConsoleText += text;
        if (text.Contains(PanicLine, StringComparison.Ordinal))
        {
            _panic = new MachineFault(FaultKind.Panic, PanicLine.Trim(), ConsoleText);
            _session!.Abort(_panic);
        }
    }

    const string PanicLine = "Kernel panic - not syncing: fake\n";

    async Task ServeAsync()
    {
        try
        {
            while (true)
            {
                var frame = await _guest.ReadFrameAsync();
                if (frame.Type == FrameType.Quit)
                {
                    _guest.ToHost.Complete();
                    return;
                }
                if (frame.Type != FrameType.RunBatch || !RunBatch(frame.Payload))
                    continue;
                return;
            }
        }
        catch (Exception e) when (e is EndOfStreamException or OperationCanceledException or InvalidDataException)
        {
            // The host went away or the test ended: a fake agent just stops.
        }
    }

    /// <summary>Answers a RUNB; true when the script ended this agent (a panic or a stall).</summary>
    bool RunBatch(byte[] payload)
    {
        var r = new PayloadReader(payload);
        uint batch = r.U32(), count = r.U32();
        for (uint i = 0; i < count; i++)
        {
            uint id = r.U32();
            r.U32();
            r.Skip((int)r.U32());
            lock (_seen) _seen.Add(id);
            switch (script(id))
            {
                case FakeBehaviour.Panic:
                    _guest.Raw("[    9.9] " + PanicLine);
                    return true;
                case FakeBehaviour.Stall:
                    Stalled.TrySetResult();
                    return true;
                default:
                    _guest.Send(FrameType.Result, id == 0 && probeAnswers is not null ? FakeGuest.Returns(batch, id, probeAnswers) : FakeGuest.Result(batch, id, id));
                    break;
            }
        }
        _guest.Send(FrameType.Done, FakeGuest.Done(batch, count));
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        Disposed = true;
        _guest.ToHost.Complete();
        _guest.FromHost.Complete();
        if (_session is not null)
            await _session.DisposeAsync();
    }
}
