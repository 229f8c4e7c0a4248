namespace Conformance.Machines.Protocol;

/// <summary>FUZZ's flags byte.</summary>
[Flags]
public enum FuzzFlags : byte
{
    None = 0,
    /// <summary>A FUZZ_INPUT record for every input, not just each stack's digest.</summary>
    Detail = 1,
    /// <summary>Install with prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER) instead of seccomp(SECCOMP_SET_MODE_FILTER).</summary>
    Prctl = 2,
    /// <summary>Write net.core.bpf_jit_enable before the stacks (a SYSCALL observation carries the write's return): 1 with <see cref="JitOn"/>, else 0.</summary>
    SetJit = 4,
    JitOn = 8,
    /// <summary>Each stack's last filter is installed with NEW_LISTENER and the worker answers its notifications (install result 0 for the fd).</summary>
    Listener = 16,
    /// <summary>The driver is the worker's seccomp tracer (PTRACE_O_TRACESECCOMP, its threads attached through TRACECLONE): each seccomp stop sets record flag bit 2 with the event message, and the call is resumed unchanged.</summary>
    Tracer = 32,
}

/// <summary>
/// The fields of a FUZZ step (docs/agent-protocol.md §3, FUZZ): the number and argument pools
/// seeded inputs draw from, the call sites beyond slot 0 (the ip the kernel reports for a call
/// through slot k is <c>SlotIps[k - 1]</c>) and the stacks. The constructor checks every range the
/// agent's validation checks, except the filter indices against the program
/// (<see cref="ProgramBuilder.Build"/> does).
/// </summary>
public sealed class FuzzStep
{
    public const int MaxNrs = 256;
    public const int MaxArgs = 1024;
    public const int MaxSlots = 7;
    public const int MaxStacks = 4096;

    public FuzzStep(FuzzFlags flags, IReadOnlyList<int> nrPool, IReadOnlyList<ulong> argPool, IReadOnlyList<ulong> slotIps,
        IReadOnlyList<FuzzStack> stacks)
    {
        ArgumentNullException.ThrowIfNull(nrPool);
        ArgumentNullException.ThrowIfNull(argPool);
        ArgumentNullException.ThrowIfNull(slotIps);
        ArgumentNullException.ThrowIfNull(stacks);
        if ((flags & ~(FuzzFlags.Detail | FuzzFlags.Prctl | FuzzFlags.SetJit | FuzzFlags.JitOn | FuzzFlags.Listener | FuzzFlags.Tracer)) != 0) throw new ArgumentOutOfRangeException(nameof(flags), flags, "unknown FUZZ flags");
        CheckCount(nrPool.Count, 1, MaxNrs, nameof(nrPool));
        CheckCount(argPool.Count, 1, MaxArgs, nameof(argPool));
        CheckCount(slotIps.Count, 0, MaxSlots, nameof(slotIps));
        CheckCount(stacks.Count, 1, MaxStacks, nameof(stacks));
        foreach (var s in stacks)
        {
            ArgumentNullException.ThrowIfNull(s, nameof(stacks));
            if (s.Inputs?.FirstOrDefault(i => i.Slot > slotIps.Count) is { } bad)
                throw new ArgumentException($"input {bad} names slot {bad.Slot}, but the step has slots 0..{slotIps.Count}", nameof(stacks));
        }
        Flags = flags;
        NrPool = [.. nrPool];
        ArgPool = [.. argPool];
        SlotIps = [.. slotIps];
        Stacks = [.. stacks];
    }

    public FuzzFlags Flags { get; }
    public IReadOnlyList<int> NrPool { get; }
    public IReadOnlyList<ulong> ArgPool { get; }

    /// <summary>The requested ips of slots 1..n (slot 0 is the agent's own stub).</summary>
    public IReadOnlyList<ulong> SlotIps { get; }

    public IReadOnlyList<FuzzStack> Stacks { get; }

    /// <summary>The inputs of stack <paramref name="stack"/> as the agent makes them, given which slots it could map.</summary>
    public IReadOnlyList<FuzzInput> InputsOf(int stack, Func<int, bool> isMapped) => FuzzInputs.Of(this, stack, isMapped);

    /// <summary>The inputs of stack <paramref name="stack"/>, with the slots the agent reported in FUZZ_SETUP.</summary>
    public IReadOnlyList<FuzzInput> InputsOf(int stack, FuzzSetupObservation setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return FuzzInputs.Of(this, stack, setup.IsMapped);
    }

    internal void Encode(PayloadWriter w)
    {
        w.U8((byte)Flags).U16((ushort)NrPool.Count);
        foreach (var nr in NrPool) w.I32(nr);
        w.U16((ushort)ArgPool.Count);
        foreach (var a in ArgPool) w.U64(a);
        w.U8((byte)SlotIps.Count);
        foreach (var ip in SlotIps) w.U64(ip);
        w.U16((ushort)Stacks.Count);
        foreach (var s in Stacks)
        {
            w.U8((byte)s.Filters.Count);
            foreach (var f in s.Filters) w.U16((ushort)f);
            if (s.Inputs is null)
            {
                w.U8(0).U64(s.Seed).U32(s.Count);
                continue;
            }
            w.U8(1).U16((ushort)s.Inputs.Count);
            foreach (var i in s.Inputs)
            {
                w.I32(i.Nr);
                foreach (var a in i.Args) w.U64(a);
                w.U8(i.Slot);
            }
        }
    }

    static void CheckCount(int count, int min, int max, string name)
    {
        if (count < min || count > max) throw new ArgumentException($"FUZZ takes {min}..{max} entries here, got {count}", name);
    }
}
