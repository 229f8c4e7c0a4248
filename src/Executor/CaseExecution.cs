using Conformance.Machines;
using Conformance.Machines.Protocol;

namespace Conformance.Executor;

public enum ExecutionStatus
{
    /// <summary>The agent reported the program's observations (whatever they say).</summary>
    Completed,
    /// <summary>The machine faulted while this program was running: the fault is blamed on it.</summary>
    Faulted,
    /// <summary>The program never reached a machine (none could be booted, or the restart budget is spent).</summary>
    NotRun,
}

/// <summary>What became of one submitted program.</summary>
/// <param name="Machine">The machine that ran it (or was running it when it faulted); null when it was not run.</param>
/// <param name="Result">The agent's report, for <see cref="ExecutionStatus.Completed"/>.</param>
/// <param name="Fault">The machine's fault, for <see cref="ExecutionStatus.Faulted"/>.</param>
/// <param name="NotRunReason">Why it was not run, for <see cref="ExecutionStatus.NotRun"/>.</param>
public sealed record CaseExecution(
    CaseRequest Request, ExecutionStatus Status, MachineInfo? Machine, CaseResult? Result, MachineFault? Fault, string? NotRunReason)
{
    public static CaseExecution Completed(CaseRequest request, MachineInfo machine, CaseResult result) =>
        new(request, ExecutionStatus.Completed, machine, result, null, null);

    public static CaseExecution Faulted(CaseRequest request, MachineInfo machine, MachineFault fault) =>
        new(request, ExecutionStatus.Faulted, machine, null, fault, null);

    public static CaseExecution NotRun(CaseRequest request, string reason) =>
        new(request, ExecutionStatus.NotRun, null, null, null, reason);
}
