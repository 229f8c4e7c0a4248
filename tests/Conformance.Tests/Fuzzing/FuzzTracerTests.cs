using Conformance.Executor;
using Conformance.Executor.Features;
using Conformance.Fuzzing.Verdicts;
using Conformance.Machines;
using Conformance.Machines.Host;
using Conformance.Machines.Kernels;
using Conformance.Machines.Protocol;
using Conformance.Model.Bpf;
using Conformance.Model.Syscalls;
using Conformance.Tests.Vm;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Fuzzing;

/// <summary>
/// FUZZ's TRACER flag: the step's actor traces its worker, so a TRACE verdict is compared as the
/// seccomp stop with its event message (record flag bit 2, the message in si_errno's place) and
/// what the call does once the tracer resumes it unchanged (the recheck lets it run). TRACE from an
/// earlier filter loses to a later ERRNO; TRAP's SIGSYS still reaches the handler through the
/// tracer; deaths are bookkept as without one. The model predicts all of it.
/// </summary>
public abstract class FuzzTracerChecks
{
    CaseExecutor _executor = null!;
    MachineInfo _machine = null!;

    protected abstract FuzzArch Arch { get; }

    protected abstract Task<Func<IMachine>> MachineFactoryAsync();

    // Numbers from the arch's pool (so the step has their reference values): three traced, one
    // for ERRNO, one for TRAP; 1000 kills the process and 0x3fffffff the thread; 0x7fffffff and
    // getuid are allowed.
    int T0 => Arch.HarmlessNumbers[0];
    int T1 => Arch.HarmlessNumbers[1];
    int T2 => Arch.HarmlessNumbers[2];
    int E => Arch.HarmlessNumbers[3];
    int Trap => Arch.HarmlessNumbers[4];
    int Getuid => SyscallTable.NumberOf(Arch.Abi, "getuid");

    static Instruction[] On(string rules) => Conformance.Model.Text.Assembler.Assemble($"ld [0]\n{rules}\na: ret #ALLOW");

    /// <summary>One filter with TRACE for three data values beside ERRNO, TRAP and ALLOW.</summary>
    Instruction[] Mixed => On($"jeq #{T0}, t0, n1\nt0: ret #TRACE(0)\nn1: jeq #{T1}, t1, n2\nt1: ret #TRACE(1)\nn2: jeq #{T2}, t2, n3\nt2: ret #TRACE(0xffff)\n" +
                              $"n3: jeq #{E}, e, n4\ne: ret #ERRNO(5)\nn4: jeq #{Trap}, trap, a\ntrap: ret #TRAP(3)");

    FilterStack[] Stacks =>
    [
        new([Mixed]),
        // An earlier filter traces T0 and T1; a later one answers T0 with ERRNO, which outranks TRACE.
        new([On($"jeq #{T0}, t, n\nt: ret #TRACE(0x1234)\nn: jeq #{T1}, u, a\nu: ret #TRACE(0x42)"), On($"jeq #{T0}, e, a\ne: ret #ERRNO(7)")]),
        // The mixed filter, then one where 1000 kills the process and 0x3fffffff only the thread.
        new([Mixed, On("jeq #1000, p, n\np: ret #KILL_PROCESS\nn: jeq #0x3fffffff, t, a\nt: ret #KILL_THREAD")]),
    ];

    List<FuzzInput> Inputs => [.. new[] { T0, T1, T2, E, Trap, Getuid, 0x7fffffff, 1000, T0, 0x3fffffff, T2, T1, Trap, T0 }
        .Select((nr, i) => new FuzzInput((uint)i, nr, [0x11, 0x22, 0x33, 0x44, 0x55, (ulong)i], (byte)(i % (Arch.SlotIps.Count + 1))))];

    [OneTimeSetUp]
    public async Task Start()
    {
        _executor = new CaseExecutor(await MachineFactoryAsync(), new ExecutorOptions { PoolSize = 1 }, NullLogger.Instance);
        _machine = await _executor.StartAsync(CancellationToken.None);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _executor.DisposeAsync();

    VerdictOracle Oracle(bool tracer) => new(Arch, KernelDescriptions.Of(_machine.Features, _machine.Profile), prctl: false, tracer: tracer);

    /// <summary>Runs the stacks in one FUZZ step; every stack gets the explicit inputs, then one seeded stack of the mixed filter.</summary>
    async Task<(CaseResult Result, VerdictSetup Setup, ulong[] Pool)> RunAsync(FuzzFlags flags, uint seeded)
    {
        var p = new ProgramBuilder();
        var stacks = Stacks;
        ulong[] pool = VerdictBatch.ArgPool(stacks);
        var fuzzStacks = stacks.Select(s => FuzzStack.Explicit([.. s.Programs(Arch).Select(p.AddFilter)], Inputs)).ToList();
        fuzzStacks.Add(FuzzStack.Seeded([.. stacks[0].Programs(Arch).Select(p.AddFilter)], 0x5eed, seeded));
        p.Root(b => b.Fuzz(1, flags, Arch.HarmlessNumbers, pool, Arch.SlotIps, [.. fuzzStacks]).Mark(2, 2));
        var run = await _executor.SubmitAsync(new CaseRequest(1, TimeSpan.FromSeconds(120), p.Build()), CancellationToken.None);
        Assert.That(run.Result, Is.Not.Null, run.NotRunReason);
        var r = run.Result!;
        Assert.That(r.TimedOut, Is.False);
        Assert.That(r.Of<ErrorObservation>(), Is.Empty, "the agent recorded no ERROR");
        Assert.That(r.Of<MarkObservation>().Single().Value, Is.EqualTo(2u), "the root went on after the step");
        var s = r.Of<FuzzSetupObservation>().Single();
        var setup = new VerdictSetup([.. s.Slots.Select(x => x.Ip)], [.. s.Slots.Select(x => x.Mapped)],
            Arch.HarmlessNumbers.Select((n, i) => (n, s.References[i])).ToDictionary(x => x.n, x => x.Item2));
        return (r, setup, pool);
    }

    IReadOnlyList<FuzzInput> Seeded(VerdictSetup setup, ulong[] pool, uint count) =>
        FuzzInputs.Seeded(0x5eed, count, Arch.HarmlessNumbers, pool, Arch.SlotIps.Count, s => s < setup.Mapped.Count && setup.Mapped[s]);

    /// <summary>The model's records for stack <paramref name="stack"/>, held against the agent's digest (and its records when there are).</summary>
    List<FuzzInputRecord> AssertModelAgrees(CaseResult r, VerdictSetup setup, VerdictOracle oracle, int stack, IReadOnlyList<FuzzInput> inputs)
    {
        var stacks = Stacks;
        var st = r.Of<FuzzStackObservation>().Single(o => o.Stack == stack);
        var programs = (stack < stacks.Length ? stacks[stack] : stacks[0]).Programs(Arch);
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
        AssertModelAgrees(r, setup, oracle, Stacks.Length, Seeded(setup, pool, 256));

        // The kernel's own records, spelt out: the stop's message is the TRACE data, then the call ran.
        var mixed = records[0];
        var inputs = Inputs;
        foreach (var (i, data) in new[] { (0, 0), (1, 1), (2, 0xffff), (8, 0), (10, 0xffff), (11, 1), (13, 0) })
        {
            Assert.That(mixed[i].Flags, Is.EqualTo(FuzzInputRecord.TracedFlag), $"input {i}: {mixed[i]}");
            Assert.That(mixed[i].TraceMessage, Is.EqualTo(data), $"input {i}: the event message is the TRACE data");
            Assert.That((mixed[i].Kind, mixed[i].Value), Is.EqualTo((FuzzOutcome.Returned, setup.ReferenceFor(inputs[i].Nr))), $"input {i}: resumed, the call ran");
        }
        Assert.That(mixed[3], Is.EqualTo(FuzzInputRecord.Returned(inputs[3], -5)), "ERRNO: no stop");
        Assert.That((mixed[4].Kind, mixed[4].Flags, mixed[4].SiErrno), Is.EqualTo((FuzzOutcome.SigsysCaught, (ushort)0, 3)), "TRAP's SIGSYS reached the handler through the tracer");
        Assert.That(mixed[5].Flags, Is.Zero, "ALLOW: no stop");

        var stacked = records[1];
        Assert.That(stacked[0], Is.EqualTo(FuzzInputRecord.Returned(inputs[0], -7)), "an earlier TRACE loses to a later ERRNO: no stop");
        Assert.That((stacked[1].TraceMessage, stacked[1].Value), Is.EqualTo(((int?)0x42, setup.ReferenceFor(T1))), "T1 is traced by the earlier filter alone");

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
        for (int s = 0; s < Stacks.Length; s++)
            AssertModelAgrees(traced, setup, Oracle(tracer: true), s, Inputs);
        AssertModelAgrees(traced, setup, Oracle(tracer: true), Stacks.Length, Seeded(setup, pool, 1024));

        var (plain, plainSetup, _) = await RunAsync(FuzzFlags.Detail, 1024);
        var records = AssertModelAgrees(plain, plainSetup, Oracle(tracer: false), 0, Inputs);
        Assert.That((records[0].Value, records[0].Flags, records[2].Value), Is.EqualTo((-38L, (ushort)0, -38L)), "no tracer: TRACE fails with ENOSYS");
        AssertModelAgrees(plain, plainSetup, Oracle(tracer: false), Stacks.Length, Seeded(plainSetup, pool, 1024));
        Assert.That(plain.Of<FuzzStackObservation>().Last().Digest, Is.Not.EqualTo(traced.Of<FuzzStackObservation>().Last().Digest),
            "the tracer changes what a TRACE verdict records");
    }
}

/// <summary>The tracer checks on the host kernel (x86_64; the host is root).</summary>
[Category("Host"), NonParallelizable]
public class FuzzTracerTests : FuzzTracerChecks
{
    protected override FuzzArch Arch => FuzzArch.For("x86_64");

    protected override Task<Func<IMachine>> MachineFactoryAsync() => Task.FromResult<Func<IMachine>>(() => new HostMachine());
}

/// <summary>The tracer checks in Debian's 6.1 guest, where aarch64's ptrace and seccomp paths are the kernel's.</summary>
[TestFixture(KernelArch.X86_64), TestFixture(KernelArch.Aarch64), Category("Vm"), NonParallelizable]
public class FuzzTracerVmTests(KernelArch arch) : FuzzTracerChecks
{
    protected override FuzzArch Arch => FuzzArch.For(arch == KernelArch.X86_64 ? "x86_64" : "aarch64");

    protected override async Task<Func<IMachine>> MachineFactoryAsync()
    {
        var kernel = await VmKernels.Debian61(arch);
        var image = await VmKernels.AgentImage(arch);
        return () => new QemuMachine(new QemuMachineOptions(kernel, image) { CacheRoot = VmKernels.Store.CacheRoot });
    }
}
