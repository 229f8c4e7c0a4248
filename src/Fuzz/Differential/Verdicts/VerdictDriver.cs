using Conformance.Executor;
using Conformance.Machines.Protocol;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>
/// What a batch of stack runs gave: the setup, each run's outcome and the argument pool the guest
/// drew from; or the fault that ended it. <see cref="JitWrite"/>: the return of writing the JIT
/// setting, when the batch asked for one. <see cref="TracerRefused"/>: the batch asked for the
/// tracer and the agent could not seize its worker (PTRACE_SEIZE failed, so no stack ran).
/// </summary>
public sealed record BatchResult(VerdictSetup? Setup, StackOutcome[] Outcomes, ulong[] ArgPool, CaseExecution Execution)
{
    public long? JitWrite { get; init; }
    public bool TracerRefused { get; init; }
}

/// <summary>Submits stack runs to the executor as FUZZ cases and decodes what comes back.</summary>
public sealed class VerdictDriver(CaseExecutor executor, VerdictBatch batch)
{
    uint _nextCase = 1;

    /// <summary>The JIT setting every batch is run under (net.core.bpf_jit_enable), or null to leave it as it is.</summary>
    public bool? Jit { get; set; }

    /// <summary>Each stack's last filter gets a listener the worker answers (FUZZ's LISTENER flag).</summary>
    public bool Listener { get; set; }

    /// <summary>The step's driver is the worker's seccomp tracer and resumes every stop unchanged (FUZZ's TRACER flag).</summary>
    public bool Tracer { get; set; }

    /// <summary>How many inputs ran on the kernel so far.</summary>
    public long InputsRun { get; private set; }

    public async Task<BatchResult> RunAsync(IReadOnlyList<StackRun> runs, bool detail, CancellationToken cancellationToken)
    {
        var request = batch.Request(_nextCase++, runs, detail, Jit, Listener, Tracer, out var argPool);
        var execution = await executor.SubmitAsync(request, cancellationToken);
        if (execution.Status != ExecutionStatus.Completed)
            return new BatchResult(null, [], argPool, execution);
        var (setup, outcomes) = batch.Decode(runs, execution.Result!);
        InputsRun += outcomes.Where(o => o.Digest is not null).Sum(o => (long)o.Run.InputCount);
        long? jitWrite = Jit is null ? null
            : execution.Result!.Of<SyscallObservation>().FirstOrDefault(o => o.StepId == VerdictBatch.StepId)?.Ret;
        bool refused = Tracer && execution.Result!.Of<ErrorObservation>().Any(e => e.StepId == VerdictBatch.StepId && e.Message.Contains("PTRACE_SEIZE", StringComparison.Ordinal));
        return new BatchResult(setup, outcomes, argPool, execution) { JitWrite = jitWrite, TracerRefused = refused };
    }
}
