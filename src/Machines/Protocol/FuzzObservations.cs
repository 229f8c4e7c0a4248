namespace Conformance.Machines.Protocol;

/// <summary>A FUZZ call site: whether the agent could place it, and the ip the kernel reports for a call through it.</summary>
public readonly record struct FuzzSlot(bool Mapped, ulong Ip);

/// <summary>
/// FUZZ_SETUP: the call sites (slot 0, the agent's own stub, first) and, per pool number in
/// order, what the call returned unfiltered with all arguments 0.
/// </summary>
public sealed record FuzzSetupObservation(ushort StepId, int Pid, int Tid, IReadOnlyList<FuzzSlot> Slots, IReadOnlyList<long> References)
    : Observation(StepId, Pid, Tid)
{
    public override ObservationKind Kind => ObservationKind.FuzzSetup;

    public bool IsMapped(int slot) => slot >= 0 && slot < Slots.Count && Slots[slot].Mapped;
}

/// <summary>
/// FUZZ_STACK: one stack whose inputs all finished. <see cref="Installs"/> has one result per filter:
/// 0, a negative errno, or <see cref="NotAttempted"/> after an earlier failure.
/// </summary>
public sealed record FuzzStackObservation(
    ushort StepId, int Pid, int Tid, ushort Stack, IReadOnlyList<int> Installs, uint InputsDone, uint ThreadsDied,
    uint ProcessesDied, ulong Digest) : Observation(StepId, Pid, Tid)
{
    public const int NotAttempted = 1;

    public override ObservationKind Kind => ObservationKind.FuzzStack;
}

/// <summary>FUZZ_INPUT (with the DETAIL flag): one input's record.</summary>
public sealed record FuzzInputObservation(ushort StepId, int Pid, int Tid, ushort Stack, FuzzInputRecord Record) : Observation(StepId, Pid, Tid)
{
    public override ObservationKind Kind => ObservationKind.FuzzInput;
}
