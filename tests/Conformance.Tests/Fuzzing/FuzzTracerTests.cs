using Conformance.Executor;
using Conformance.Executor.Features;
using Conformance.Fuzzing.Verdicts;
using Conformance.Machines.Host;
using Conformance.Machines.Protocol;
using Conformance.Model.Bpf;
using Conformance.Model.Task;
using Conformance.Model.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Fuzzing;

/// <summary>
/// FUZZ's TRACER flag on the host kernel: the step's driver traces its worker, so a TRACE verdict
/// is compared as the seccomp stop with its event message (record flag bit 2, the message in
/// si_errno's place) and what the call does once the tracer resumes it unchanged (the recheck
/// lets it run). TRACE from an earlier filter loses to a later ERRNO; TRAP's SIGSYS still reaches
/// the handler through the tracer; deaths are bookkept as without one. The model predicts all of it.
/// </summary>
[Category("Host"), NonParallelizable]
public class FuzzTracerTests
{
    const int Enosys = -38;
    static readonly FuzzArch Arch = FuzzArch.For("x86_64");

    static Instruction[] On(string rules) => Assembler.Assemble($"ld [0]\n{rules}\na: ret #ALLOW");

    // One filter with TRACE for three data values beside ERRNO, TRAP and ALLOW.
    static readonly Instruction[] Mixed = On(
        "jeq #400, t0, n1\nt0: ret #TRACE(0)\nn1: jeq #401, t1, n2\nt1: ret #TRACE(1)\nn2: jeq #402, t2, n3\nt2: ret #TRACE(0xffff)\n" +
        "n3: jeq #411, e, n4\ne: ret #ERRNO(5)\nn4: jeq #423, trap, a\ntrap: ret #TRAP(3)");

    // An earlier filter traces 400 and 401; a later one answers 400 with ERRNO, which outranks TRACE.
    static readonly Instruction[] EarlierTrace = On("jeq #400, t, n\nt: ret #TRACE(0x1234)\nn: jeq #401, u, a\nu: ret #TRACE(0x42)");
    static readonly Instruction[] LaterErrno = On("jeq #400, e, a\ne: ret #ERRNO(7)");

    // Under the mixed filter: 1000 kills the process, 0x3fffffff only the thread.
    static readonly Instruction[] Kills = On("jeq #1000, p, n\np: ret #KILL_PROCESS\nn: jeq #0x3fffffff, t, a\nt: ret #KILL_THREAD");

    static readonly FilterStack[] Stacks = [new([Mixed]), new([EarlierTrace, LaterErrno]), new([Mixed, Kills])];

    static readonly int[] Numbers = [400, 401, 402, 411, 423, Nr("getuid"), 0x40000000 | 400, 1000, 400, 0x3fffffff, 402, 401, 423, 400];

    static int Nr(string name) => Conformance.Model.Syscalls.SyscallTable.NumberOf(Conformance.Model.Seccomp.Abi.X86_64, name);

    static readonly List<FuzzInput> Inputs = [.. Numbers.Select((nr, i) => new FuzzInput((uint)i, nr, [0x11, 0x22, 0x33, 0x44, 0x55, (ulong)i], (byte)(i % 5)))];

    CaseExecutor _executor = null!;
    MachineInfo _machine = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _executor = new CaseExecutor(() => new HostMachine(), new ExecutorOptions { PoolSize = 1 }, NullLogger.Instance);
        _machine = await _executor.StartAsync(CancellationToken.None);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _executor.DisposeAsync();

    VerdictOracle Oracle(bool tracer) => new(Arch, KernelDescriptions.Of(_machine.Features, _machine.Profile), prctl: false, tracer: tracer);

    /// <summary>Runs the stacks in one FUZZ step; every stack gets the explicit inputs, plus one seeded stack of the mixed filter.</summary>
    async Task<(CaseResult Result, VerdictSetup Setup, ulong[] Pool)> RunAsync(FuzzFlags flags, uint seeded)
    {
        var p = new ProgramBuilder();
        ulong[] pool = VerdictBatch.ArgPool(Stacks);
        var fuzzStacks = Stacks.Select(s => FuzzStack.Explicit([.. s.Programs(Arch).Select(p.AddFilter)], Inputs)).ToList();
        fuzzStacks.Add(FuzzStack.Seeded([.. Stacks[0].Programs(Arch).Select(p.AddFilter)], 0x5eed, seeded));
        p.Root(b => b.Fuzz(1, flags, Arch.HarmlessNumbers, pool, Arch.SlotIps, [.. fuzzStacks]).Mark(2, 2));
        var run = await _executor.SubmitAsync(new CaseRequest(1, TimeSpan.FromSeconds(60), p.Build()), CancellationToken.None);
        var r = run.Result!;
        Assert.That(r.TimedOut, Is.False);
        Assert.That(r.Of<ErrorObservation>(), Is.Empty, "the agent recorded no ERROR");
        Assert.That(r.Of<MarkObservation>().Single().Value, Is.EqualTo(2u), "the root went on after the step");
        var s = r.Of<FuzzSetupObservation>().Single();
        var setup = new VerdictSetup([.. s.Slots.Select(x => x.Ip)], [.. s.Slots.Select(x => x.Mapped)],
            Arch.HarmlessNumbers.Select((n, i) => (n, s.References[i])).ToDictionary(x => x.n, x => x.Item2));
        return (r, setup, pool);
    }

    /// <summary>The model's records for stack <paramref name="stack"/>, held against the agent's digest (and its records when there are).</summary>
    static List<FuzzInputRecord> AssertModelAgrees(CaseResult r, VerdictSetup setup, VerdictOracle oracle, int stack, IReadOnlyList<FuzzInput> inputs)
    {
        var st = r.Of<FuzzStackObservation>().Single(o => o.Stack == stack);
        var programs = (stack < Stacks.Length ? Stacks[stack] : Stacks[0]).Programs(Arch);
        var (installs, thread) = oracle.Install(programs, st.Installs);
        Assert.That(st.Installs, Is.EqualTo(installs), $"stack {stack}: installs");
        var expected = inputs.Select(i => oracle.Expect(thread, i, setup) ?? throw new AssertionException($"the model has no answer for {i}")).ToList();
        var got = r.Of<FuzzInputObservation>().Where(o => o.Stack == stack).Select(o => o.Record).ToList();
        for (int i = 0; i < got.Count; i++)
            Assert.That(got[i], Is.EqualTo(expected[i]), $"stack {stack}, input {i}: the kernel's record {got[i]}, the model's {expected[i]}");
        Assert.That(st.Digest, Is.EqualTo(FuzzDigest.Of(expected)), $"stack {stack}: the digest is the model's");
        Assert.That(st.ThreadsDied, Is.EqualTo((uint)expected.Count(e => e.Kind == FuzzOutcome.ThreadDied)), $"stack {stack}: threads died");
        Assert.That(st.ProcessesDied, Is.EqualTo((uint)expected.Count(e => e.Kind == FuzzOutcome.ProcessDied)), $"stack {stack}: processes died");
        return got;
    }

    [Test]
    public async Task Trace_stops_carry_the_data_and_the_resumed_call_is_what_the_model_says()
    {
        var (r, setup, pool) = await RunAsync(FuzzFlags.Detail | FuzzFlags.Tracer, 256);
        var oracle = Oracle(tracer: true);
        var records = Enumerable.Range(0, Stacks.Length).Select(s => AssertModelAgrees(r, setup, oracle, s, Inputs)).ToList();
        var seeded = FuzzInputs.Seeded(0x5eed, 256, Arch.HarmlessNumbers, pool, Arch.SlotIps.Count, setup.IsMapped());
        AssertModelAgrees(r, setup, oracle, Stacks.Length, seeded);

        // The kernel's own records, spelt out: the stop's message is the TRACE data, then the call ran.
        var mixed = records[0];
        foreach (var (i, data) in new[] { (0, 0), (1, 1), (2, 0xffff), (8, 0), (10, 0xffff), (11, 1), (13, 0) })
        {
            Assert.That(mixed[i].Flags, Is.EqualTo(FuzzInputRecord.TracedFlag), $"input {i}: {mixed[i]}");
            Assert.That(mixed[i].TraceMessage, Is.EqualTo(data), $"input {i}: the event message is the TRACE data");
            Assert.That((mixed[i].Kind, mixed[i].Value), Is.EqualTo((FuzzOutcome.Returned, (long)Enosys)), $"input {i}: resumed, the unimplemented call ran");
        }
        Assert.That(mixed[3], Is.EqualTo(FuzzInputRecord.Returned(Inputs[3], -5)), "ERRNO: no stop");
        Assert.That((mixed[4].Kind, mixed[4].Flags, mixed[4].SiErrno), Is.EqualTo((FuzzOutcome.SigsysCaught, (ushort)0, 3)), "TRAP's SIGSYS reached the handler through the tracer");
        Assert.That(mixed[5].Flags, Is.Zero, "ALLOW: no stop");

        var stacked = records[1];
        Assert.That(stacked[0], Is.EqualTo(FuzzInputRecord.Returned(Inputs[0], -7)), "an earlier TRACE loses to a later ERRNO: no stop");
        Assert.That((stacked[1].TraceMessage, stacked[1].Value), Is.EqualTo(((int?)0x42, (long)Enosys)), "401 is traced by the earlier filter alone");

        var deaths = records[2];
        Assert.That(deaths[7].Kind, Is.EqualTo(FuzzOutcome.ProcessDied));
        Assert.That(deaths[9].Kind, Is.EqualTo(FuzzOutcome.ThreadDied));
        Assert.That(deaths[8].TraceMessage, Is.Zero, "a new worker after the process died is traced again");
        Assert.That(deaths[10].TraceMessage, Is.EqualTo(0xffff), "a new thread after a thread died is traced again");
    }

    [Test]
    public async Task Without_detail_the_digests_are_the_models_and_without_the_flag_trace_is_enosys()
    {
        var (traced, setup, pool) = await RunAsync(FuzzFlags.Tracer, 1024);
        var seeded = FuzzInputs.Seeded(0x5eed, 1024, Arch.HarmlessNumbers, pool, Arch.SlotIps.Count, setup.IsMapped());
        for (int s = 0; s < Stacks.Length; s++)
            AssertModelAgrees(traced, setup, Oracle(tracer: true), s, Inputs);
        AssertModelAgrees(traced, setup, Oracle(tracer: true), Stacks.Length, seeded);

        var (plain, plainSetup, _) = await RunAsync(FuzzFlags.Detail, 1024);
        var records = AssertModelAgrees(plain, plainSetup, Oracle(tracer: false), 0, Inputs);
        Assert.That((records[0].Value, records[0].Flags, records[2].Value), Is.EqualTo(((long)Enosys, (ushort)0, (long)Enosys)), "no tracer: TRACE fails with ENOSYS");
        AssertModelAgrees(plain, plainSetup, Oracle(tracer: false), Stacks.Length, seeded);
        Assert.That(plain.Of<FuzzStackObservation>().Last().Digest, Is.Not.EqualTo(traced.Of<FuzzStackObservation>().Last().Digest),
            "the tracer changes what a TRACE verdict records");
    }
}

static class SetupExtensions
{
    public static Func<int, bool> IsMapped(this VerdictSetup setup) => s => s < setup.Mapped.Count && setup.Mapped[s];
}
