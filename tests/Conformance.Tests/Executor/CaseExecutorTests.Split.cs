using Conformance.Executor;
using Conformance.Machines;
using Conformance.Machines.Protocol;

namespace Conformance.Tests.Executor;

/// <summary>`run --jobs`: the executor splits a list over several machines and gives outcomes back in list order.</summary>
public partial class CaseExecutorTests
{
    [Test]
    public async Task Outcomes_come_back_in_list_order_from_both_machines()
    {
        await using var executor = new CaseExecutor(Machines((_, _) => FakeBehaviour.Answer), new ExecutorOptions { PoolSize = 2 });
        await executor.StartAsync(2, CancellationToken.None);

        var results = await Collect(executor.SubmitSplitAsync(Cases(40), chunkSize: 5, CancellationToken.None));

        Assert.That(results.Select(r => r.Request.CaseId), Is.EqualTo(Enumerable.Range(1, 40).Select(i => (uint)i)));
        Assert.That(results.Select(r => r.Result!.Of<MarkObservation>().Single().Value), Is.EqualTo(Enumerable.Range(1, 40).Select(i => (uint)i)),
            "each outcome is its own case's");
        Assert.That(_machines, Has.Count.EqualTo(2), "both booted at the start, none later");
        Assert.That(_machines.Select(m => m.Seen.Count(id => id != 0)), Has.All.GreaterThan(0), "both machines ran cases");
        Assert.That(_machines.SelectMany(m => m.Seen).Where(id => id != 0).Order(), Is.EqualTo(Enumerable.Range(1, 40).Select(i => (uint)i)),
            "every case ran exactly once");
    }

    [Test]
    public async Task A_fault_in_one_share_blames_its_case_and_every_other_case_still_runs()
    {
        await using var executor = new CaseExecutor(Machines((serial, id) => serial <= 2 && id == 13 ? FakeBehaviour.Panic : FakeBehaviour.Answer),
            new ExecutorOptions { PoolSize = 2 });
        await executor.StartAsync(2, CancellationToken.None);

        var results = await Collect(executor.SubmitSplitAsync(Cases(30), chunkSize: 4, CancellationToken.None));

        Assert.That(results.Select(r => r.Request.CaseId), Is.EqualTo(Enumerable.Range(1, 30).Select(i => (uint)i)));
        Assert.That(results.Where(r => r.Status != ExecutionStatus.Completed).Select(r => (r.Request.CaseId, r.Status)),
            Is.EqualTo(new[] { (13u, ExecutionStatus.Faulted) }));
        Assert.That(executor.Failures, Is.EqualTo(1));
    }

    [Test]
    public async Task One_machine_runs_the_whole_list_as_one_batch()
    {
        await using var executor = new CaseExecutor(Machines((_, _) => FakeBehaviour.Answer), new ExecutorOptions { PoolSize = 1 });

        var results = await Collect(executor.SubmitSplitAsync(Cases(12), chunkSize: 4, CancellationToken.None));

        Assert.That(results.Select(r => r.Request.CaseId), Is.EqualTo(Enumerable.Range(1, 12).Select(i => (uint)i)));
        Assert.That(_machines, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Stopping_early_leaves_no_machine_running()
    {
        await using var executor = new CaseExecutor(Machines((_, id) => id == 30 ? FakeBehaviour.Stall : FakeBehaviour.Answer), new ExecutorOptions { PoolSize = 2 });
        await executor.StartAsync(2, CancellationToken.None);

        await foreach (var e in executor.SubmitSplitAsync(Cases(40), chunkSize: 5, CancellationToken.None))
            if (e.Request.CaseId == 3) break;

        // Here only once the other machine's work has stopped too (one of them stalls for good).
        await executor.DisposeAsync();
        Assert.That(_machines.All(m => m.Disposed), Is.True);
    }
}
