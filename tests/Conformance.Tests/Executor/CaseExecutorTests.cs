using Conformance.Executor;
using Conformance.Machines;
using Conformance.Machines.Protocol;

namespace Conformance.Tests.Executor;

/// <summary>The executor over scripted machines: blame, restarts, the probe, cancellation.</summary>
public partial class CaseExecutorTests
{
    readonly List<FakeMachine> _machines = [];

    // NUnit runs every test of a fixture on one instance.
    [SetUp]
    public void NoMachinesYet() => _machines.Clear();

    /// <summary>A factory whose n-th machine (from 1) follows script(n, case id).</summary>
    Func<IMachine> Machines(Func<int, uint, FakeBehaviour> script) => () =>
    {
        lock (_machines)
        {
            var serial = _machines.Count + 1;
            var m = new FakeMachine(serial, id => script(serial, id));
            _machines.Add(m);
            return m;
        }
    };

    static CaseRequest Case(uint id) => new(id, TimeSpan.FromSeconds(5), new ProgramBuilder().Root(b => b.Mark(1, id)).Build());

    static List<CaseRequest> Cases(int count) => Enumerable.Range(1, count).Select(i => Case((uint)i)).ToList();

    static async Task<List<CaseExecution>> Collect(IAsyncEnumerable<CaseExecution> executions)
    {
        var list = new List<CaseExecution>();
        await foreach (var e in executions) list.Add(e);
        return list;
    }

    [Test]
    public async Task A_fault_mid_batch_blames_exactly_the_running_case_and_the_rest_run_on_a_fresh_machine()
    {
        await using var executor = new CaseExecutor(Machines((serial, id) => serial == 1 && id == 3 ? FakeBehaviour.Panic : FakeBehaviour.Answer),
            new ExecutorOptions { PoolSize = 1 });

        var results = await Collect(executor.SubmitAsync(Cases(5), CancellationToken.None));

        Assert.That(results.Select(r => (r.Request.CaseId, r.Status, r.Machine?.Serial)), Is.EqualTo(new[]
        {
            (1u, ExecutionStatus.Completed, (int?)1), (2u, ExecutionStatus.Completed, 1), (3u, ExecutionStatus.Faulted, 1),
            (4u, ExecutionStatus.Completed, 2), (5u, ExecutionStatus.Completed, 2),
        }));
        var blamed = results[2];
        Assert.That(blamed.Fault!.Kind, Is.EqualTo(FaultKind.Panic));
        Assert.That(blamed.Fault.Summary, Does.Contain("Kernel panic"));
        Assert.That(blamed.Fault.Excerpt, Does.Contain("Kernel panic"));
        Assert.That(results.Where(r => r.Status == ExecutionStatus.Completed).Select(r => r.Result!.Of<MarkObservation>().Single().Value),
            Is.EqualTo(new uint[] { 1, 2, 4, 5 }), "each result is that case's own");
        Assert.That(_machines[1].Seen, Is.EqualTo(new uint[] { 0, 4, 5 }), "the fresh machine was probed, then resumed after the blamed case");
        Assert.That(_machines[0].Disposed, Is.True, "the faulted machine was retired");
        Assert.That((executor.Booted, executor.Failures), Is.EqualTo((2, 1)));
    }

    [Test]
    public async Task Past_the_restart_budget_the_remaining_cases_are_not_run_and_no_machine_boots()
    {
        await using var executor = new CaseExecutor(Machines((_, id) => id == 0 ? FakeBehaviour.Answer : FakeBehaviour.Panic),
            new ExecutorOptions { PoolSize = 1, MaxRestarts = 2 });
        var retired = new List<RetiredMachine>();
        executor.MachineRetired += retired.Add;

        var results = await Collect(executor.SubmitAsync(Cases(6), CancellationToken.None));
        var later = await executor.SubmitAsync(Case(7), CancellationToken.None);

        Assert.That(results.Select(r => r.Status), Is.EqualTo(new[]
        {
            ExecutionStatus.Faulted, ExecutionStatus.Faulted, ExecutionStatus.Faulted,
            ExecutionStatus.NotRun, ExecutionStatus.NotRun, ExecutionStatus.NotRun,
        }));
        Assert.That(results[3].NotRunReason, Is.EqualTo("not run: the machine failed 3 times"));
        Assert.That(later.Status, Is.EqualTo(ExecutionStatus.NotRun));
        Assert.That(executor.Booted, Is.EqualTo(3), "the first machine and two restarts");
        Assert.That(retired.Select(r => r.Fault?.Kind), Is.EqualTo(new FaultKind?[] { FaultKind.Panic, FaultKind.Panic, FaultKind.Panic }));
        Assert.That(retired[0].ConsoleText, Does.Contain("Kernel panic"), "a retired machine hands over its console");
    }

    [Test]
    public async Task The_feature_probe_runs_once_on_each_machine_it_boots_before_any_case()
    {
        await using var executor = new CaseExecutor(Machines((serial, id) => serial == 1 && id == 4 ? FakeBehaviour.Panic : FakeBehaviour.Answer),
            new ExecutorOptions { PoolSize = 1 });

        var ready = await executor.StartAsync(CancellationToken.None);
        var first = await executor.SubmitAsync(Case(1), CancellationToken.None);
        await Collect(executor.SubmitAsync([Case(2), Case(3)], CancellationToken.None));
        await Collect(executor.SubmitAsync([Case(4), Case(5)], CancellationToken.None));

        Assert.That(_machines[0].Seen, Is.EqualTo(new uint[] { 0, 1, 2, 3, 4 }), "one probe, then the cases, on the reused machine");
        Assert.That(_machines[1].Seen, Is.EqualTo(new uint[] { 0, 5 }));
        Assert.That(first.Machine, Is.SameAs(ready), "every result names the machine that ran it");
        Assert.That(ready.Hello.Release, Is.EqualTo("6.1.0"));
        Assert.That(ready.Profile.Name, Is.EqualTo("linux-6.1"));
    }

    [Test]
    public async Task Cancelling_mid_batch_stops_at_once_and_disposes_every_machine()
    {
        var executor = new CaseExecutor(Machines((_, id) => id == 2 ? FakeBehaviour.Stall : FakeBehaviour.Answer), new ExecutorOptions { PoolSize = 2 });
        using var cancel = new CancellationTokenSource();
        var received = new List<uint>();

        var run = Task.Run(async () =>
        {
            await foreach (var e in executor.SubmitAsync(Cases(3), cancel.Token))
                received.Add(e.Request.CaseId);
        });
        while (_machines.Count == 0)
            await Task.Delay(10);
        await _machines[0].Stalled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // Meanwhile other work gets the second machine, which stays idle in the pool.
        var other = await executor.SubmitAsync(Case(9), CancellationToken.None);
        Assert.That(other.Machine!.Serial, Is.EqualTo(2));
        cancel.Cancel();

        Assert.That(async () => await run.WaitAsync(TimeSpan.FromSeconds(5)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(received, Is.EqualTo(new uint[] { 1 }));
        Assert.That(_machines[0].Disposed, Is.True, "the machine busy with the cancelled batch is disposed at once");
        await executor.DisposeAsync();
        Assert.That(_machines, Has.Count.EqualTo(2));
        Assert.That(_machines.Select(m => m.Disposed), Is.All.True, "no machine outlives the executor");
    }

    [Test]
    public async Task A_machine_that_does_not_boot_is_a_start_failure_and_its_work_is_not_run()
    {
        await using var executor = new CaseExecutor(() => new NeverBootingMachine(), new ExecutorOptions { PoolSize = 1 });

        var e = Assert.ThrowsAsync<MachineStartException>(() => executor.StartAsync(CancellationToken.None));
        var later = await executor.SubmitAsync(Case(1), CancellationToken.None);

        Assert.That((e!.Stage, e.Fault?.Kind), Is.EqualTo((StartStage.Boot, (FaultKind?)FaultKind.BootTimeout)));
        Assert.That(e.Message, Is.EqualTo("never did not boot: BootTimeout: no HELO"));
        Assert.That(later.Status, Is.EqualTo(ExecutionStatus.NotRun));
        Assert.That(later.NotRunReason, Is.EqualTo("not run: never did not boot: BootTimeout: no HELO"));
        Assert.That(executor.Failures, Is.EqualTo(2));
    }

    sealed class NeverBootingMachine : IMachine
    {
        public string Name => "never";
        public string Arch => "x86_64";
        public string ConsoleText => "";
        public MachineFault? Fault { get; private set; }
        public TimeSpan? BootTime => null;

        public Task<AgentSession> StartAsync(CancellationToken cancellationToken)
        {
            Fault = new MachineFault(FaultKind.BootTimeout, "no HELO", "");
            throw new MachineFaultException(Fault);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
