using Conformance.Executor;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>What a batch of stack runs gave: the setup, each run's outcome and the argument pool the guest drew from; or the fault that ended it.</summary>
public sealed record BatchResult(VerdictSetup? Setup, StackOutcome[] Outcomes, ulong[] ArgPool, CaseExecution Execution);

/// <summary>Submits stack runs to the executor as FUZZ cases and decodes what comes back.</summary>
public sealed class VerdictDriver(CaseExecutor executor, VerdictBatch batch)
{
    uint _nextCase = 1;

    /// <summary>How many inputs ran on the kernel so far.</summary>
    public long InputsRun { get; private set; }

    public async Task<BatchResult> RunAsync(IReadOnlyList<StackRun> runs, bool detail, CancellationToken cancellationToken)
    {
        var request = batch.Request(_nextCase++, runs, detail, out var argPool);
        var execution = await executor.SubmitAsync(request, cancellationToken);
        if (execution.Status != ExecutionStatus.Completed)
            return new BatchResult(null, [], argPool, execution);
        var (setup, outcomes) = batch.Decode(runs, execution.Result!);
        InputsRun += outcomes.Where(o => o.Digest is not null).Sum(o => (long)o.Run.InputCount);
        return new BatchResult(setup, outcomes, argPool, execution);
    }
}
