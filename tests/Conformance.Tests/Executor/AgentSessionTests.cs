using System.Buffers.Binary;
using System.Text;
using Conformance.Machines;
using Conformance.Machines.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Executor;

/// <summary>The session against a scripted guest: resends, reordering, faults.</summary>
public class AgentSessionTests
{
    FakeGuest _guest = null!;
    StringBuilder _console = null!;

    [SetUp]
    public void NewGuest()
    {
        _guest = new FakeGuest();
        _console = new StringBuilder();
    }

    async Task<AgentSession> Connect()
    {
        _guest.Raw("[    0.1] booting\n");
        _guest.Hello();
        return await AgentSession.ConnectAsync(_guest.ToHost, _guest.FromHost, t => { lock (_console) _console.Append(t); },
            TimeSpan.FromSeconds(30), NullLogger.Instance, CancellationToken.None);
    }

    static CaseRequest Case(uint id) => new(id, TimeSpan.FromSeconds(5), new ProgramBuilder().Root(b => b.Mark(1, id)).Build());

    static async Task<List<CaseResult>> Collect(IAsyncEnumerable<CaseResult> results)
    {
        var list = new List<CaseResult>();
        await foreach (var r in results) list.Add(r);
        return list;
    }

    [Test]
    public async Task Hello_is_decoded_and_boot_text_is_console_output()
    {
        await using var s = await Connect();
        Assert.That(s.Hello.Pid, Is.EqualTo(42));
        Assert.That(s.Hello.Helpers, Is.EqualTo(new[] { "i386" }));
        Assert.That(s.Hello.Release, Is.EqualTo("6.1.0"));
        Assert.That(_console.ToString(), Is.EqualTo("[    0.1] booting\n"));
    }

    [Test]
    public async Task A_result_broken_by_a_kernel_message_is_asked_for_again_and_delivered()
    {
        await using var s = await Connect();
        var run = Collect(s.RunAsync([Case(5)], CancellationToken.None));
        var runb = await _guest.ReadFrameAsync();
        Assert.That(runb.Type, Is.EqualTo(FrameType.RunBatch));
        uint batch = BinaryPrimitives.ReadUInt32LittleEndian(runb.Payload);

        var line = _guest.NextLine(FrameType.Result, FakeGuest.Result(batch, 5, 55));
        _guest.Raw(line[..20] + "\r\n[   7.7] BUG: soft lockup\r\n" + line[20..]);
        var rsnd = await _guest.ReadFrameAsync();
        Assert.That(rsnd.Type, Is.EqualTo(FrameType.Resend));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(rsnd.Payload), Is.EqualTo(1u), "the RSLT's sequence number");
        _guest.Raw(line);
        _guest.Send(FrameType.Done, FakeGuest.Done(batch, 1));

        var results = await run;
        Assert.That(results.Single().Of<MarkObservation>().Single().Value, Is.EqualTo(55u));
        Assert.That(_console.ToString(), Does.Contain("BUG: soft lockup"));
    }

    [Test]
    public async Task A_lost_frame_is_requested_and_frames_are_delivered_in_sequence_order()
    {
        await using var s = await Connect();
        var run = Collect(s.RunAsync([Case(1), Case(2)], CancellationToken.None));
        uint batch = BinaryPrimitives.ReadUInt32LittleEndian((await _guest.ReadFrameAsync()).Payload);
        var first = _guest.NextLine(FrameType.Result, FakeGuest.Result(batch, 1, 10));   // seq 1: lost entirely
        _guest.Send(FrameType.Result, FakeGuest.Result(batch, 2, 20));                  // seq 2
        _guest.Send(FrameType.Done, FakeGuest.Done(batch, 2));                          // seq 3
        var rsnd = await _guest.ReadFrameAsync();
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(rsnd.Payload), Is.EqualTo(1u));
        _guest.Raw(first);

        var results = await run;
        Assert.That(results.Select(r => r.CaseId), Is.EqualTo(new uint[] { 1, 2 }));
        Assert.That(results.Select(r => r.Of<MarkObservation>().Single().Value), Is.EqualTo(new uint[] { 10, 20 }));
    }

    [Test]
    public async Task A_batch_the_guest_could_not_read_is_sent_again()
    {
        await using var s = await Connect();
        var run = Collect(s.RunAsync([Case(3)], CancellationToken.None));
        var runb = await _guest.ReadFrameAsync();
        _guest.Send(FrameType.Error, FakeGuest.Error(AgentErrorCode.CorruptFrame, "corrupt input frame: crc mismatch"));
        var again = await _guest.ReadFrameAsync();
        Assert.That(again.Type, Is.EqualTo(FrameType.RunBatch));
        Assert.That(again.Payload, Is.EqualTo(runb.Payload));
        uint batch = BinaryPrimitives.ReadUInt32LittleEndian(again.Payload);
        _guest.Send(FrameType.Result, FakeGuest.Result(batch, 3, 30));
        _guest.Send(FrameType.Done, FakeGuest.Done(batch, 1));
        Assert.That((await run).Single().CaseId, Is.EqualTo(3u));
    }

    [Test]
    public async Task Only_the_corrupt_frame_code_makes_the_host_send_a_batch_again_whatever_the_text_says()
    {
        await using var s = await Connect();
        var run = Collect(s.RunAsync([Case(3)], CancellationToken.None));
        uint batch = BinaryPrimitives.ReadUInt32LittleEndian((await _guest.ReadFrameAsync()).Payload);
        _guest.Send(FrameType.Error, FakeGuest.Error(AgentErrorCode.FrameNotHeld, "corrupt input frame: words that do not decide"));
        _guest.Send(FrameType.Result, FakeGuest.Result(batch, 3, 30));
        _guest.Send(FrameType.Done, FakeGuest.Done(batch, 1));
        Assert.That((await run).Single().CaseId, Is.EqualTo(3u));

        var ping = s.PingAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        var next = await _guest.ReadFrameAsync();
        Assert.That(next.Type, Is.EqualTo(FrameType.Ping), "no second RUNB went out before it");
        _guest.Send(FrameType.Pong, next.Payload);
        Assert.That(await ping, Is.True);
    }

    [Test]
    public async Task A_batch_the_agent_rejects_is_a_protocol_error()
    {
        await using var s = await Connect();
        var run = Collect(s.RunAsync([Case(1)], CancellationToken.None));
        await _guest.ReadFrameAsync();
        _guest.Send(FrameType.Error, FakeGuest.Error(AgentErrorCode.BatchRejected, "RUNB: truncated batch"));
        var e = Assert.ThrowsAsync<MachineFaultException>(async () => await run);
        Assert.That(e!.Fault.Kind, Is.EqualTo(FaultKind.ProtocolError));
        Assert.That(e.Fault.Summary, Does.Contain("RUNB: truncated batch"));
    }

    [Test]
    public async Task Abort_wakes_a_pending_run_with_the_machine_fault()
    {
        await using var s = await Connect();
        var run = Collect(s.RunAsync([Case(1)], CancellationToken.None));
        await _guest.ReadFrameAsync();
        s.Abort(new MachineFault(FaultKind.Panic, "Kernel panic - not syncing", "..."));
        var e = Assert.ThrowsAsync<MachineFaultException>(async () => await run);
        Assert.That(e!.Fault.Kind, Is.EqualTo(FaultKind.Panic));
        Assert.ThrowsAsync<MachineFaultException>(async () => await Collect(s.RunAsync([Case(2)], CancellationToken.None)));
    }

    [Test]
    public async Task A_case_without_a_result_past_its_grace_is_a_hang_after_one_resend_probe()
    {
        await using var s = await Connect();
        s.Grace = TimeSpan.FromMilliseconds(50);
        s.ResendProbeWait = TimeSpan.FromMilliseconds(50);
        var run = Collect(s.RunAsync([new CaseRequest(1, TimeSpan.Zero, Case(1).Program)], CancellationToken.None));
        await _guest.ReadFrameAsync();
        var probe = await _guest.ReadFrameAsync();
        Assert.That(probe.Type, Is.EqualTo(FrameType.Resend));
        var e = Assert.ThrowsAsync<MachineFaultException>(async () => await run);
        Assert.That(e!.Fault.Kind, Is.EqualTo(FaultKind.Hang));
        Assert.That(s.Fault!.Summary, Does.Contain("case 1"));
    }

    [Test]
    public async Task The_end_of_the_guest_stream_is_an_unexpected_exit()
    {
        await using var s = await Connect();
        var run = Collect(s.RunAsync([Case(1)], CancellationToken.None));
        await _guest.ReadFrameAsync();
        _guest.Raw("[   3.0] Kernel panic - not syncing: Attempted to kill init!\n");
        _guest.ToHost.Complete();
        var e = Assert.ThrowsAsync<MachineFaultException>(async () => await run);
        Assert.That(e!.Fault.Kind, Is.EqualTo(FaultKind.UnexpectedExit));
        Assert.That(e.Fault.Excerpt, Does.Contain("Attempted to kill init"));
    }

    [Test]
    public async Task Ping_gets_its_pong()
    {
        await using var s = await Connect();
        var ping = s.PingAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        var f = await _guest.ReadFrameAsync();
        Assert.That(f.Type, Is.EqualTo(FrameType.Ping));
        _guest.Send(FrameType.Pong, f.Payload);
        Assert.That(await ping, Is.True);
    }

    [Test]
    public void No_hello_before_the_timeout_is_a_boot_timeout()
    {
        var e = Assert.ThrowsAsync<MachineFaultException>(() => AgentSession.ConnectAsync(_guest.ToHost, _guest.FromHost, _ => { },
            TimeSpan.FromMilliseconds(50), NullLogger.Instance, CancellationToken.None));
        Assert.That(e!.Fault.Kind, Is.EqualTo(FaultKind.BootTimeout));
    }
}
