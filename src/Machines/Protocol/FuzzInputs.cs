namespace Conformance.Machines.Protocol;

/// <summary>
/// The host's copy of FUZZ's input rule (docs/agent-protocol.md §3, FUZZ, "Seeded inputs"): input
/// i of a seeded stack is the i-th draw of splitmix64 from the stack's seed. A slot the agent could
/// not map is replaced by slot 0, for explicit inputs too. The agent's copy is prepare_inputs in
/// src/Native/fuzz.c; FuzzStepTests holds the two together.
/// </summary>
public static class FuzzInputs
{
    /// <summary>The inputs of stack <paramref name="stack"/> of <paramref name="step"/>.</summary>
    public static IReadOnlyList<FuzzInput> Of(FuzzStep step, int stack, Func<int, bool> isMapped)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(isMapped);
        var s = step.Stacks[stack];
        if (s.Inputs is null) return Seeded(s.Seed, s.Count, step.NrPool, step.ArgPool, step.SlotIps.Count, isMapped);
        return [.. s.Inputs.Select(i => isMapped(i.Slot) ? i : i with { Slot = 0 })];
    }

    /// <summary>
    /// <paramref name="count"/> seeded inputs. <paramref name="slotCount"/> counts the placed slots
    /// (without slot 0); <paramref name="isMapped"/> says which slots the agent mapped.
    /// </summary>
    public static IReadOnlyList<FuzzInput> Seeded(ulong seed, uint count, IReadOnlyList<int> nrPool, IReadOnlyList<ulong> argPool,
        int slotCount, Func<int, bool> isMapped)
    {
        ArgumentNullException.ThrowIfNull(nrPool);
        ArgumentNullException.ThrowIfNull(argPool);
        ArgumentNullException.ThrowIfNull(isMapped);
        if (nrPool.Count == 0 || argPool.Count == 0) throw new ArgumentException("the pools must not be empty");
        var g = new SplitMix64(seed);
        var inputs = new FuzzInput[count];
        for (uint i = 0; i < count; i++)
        {
            int nr = nrPool[(int)g.Pick((uint)nrPool.Count)];
            var args = new ulong[6];
            for (int a = 0; a < 6; a++)
            {
                args[a] = g.Pick(4) switch
                {
                    0 => argPool[(int)g.Pick((uint)argPool.Count)],
                    1 => g.Next(),
                    2 => g.Pick(4),
                    // The pool pick comes before the bit pick (C# evaluates left to right).
                    _ => argPool[(int)g.Pick((uint)argPool.Count)] ^ (1UL << (int)g.Pick(64)),
                };
            }
            byte slot = (byte)g.Pick((uint)slotCount + 1);
            inputs[i] = new FuzzInput(i, nr, args, isMapped(slot) ? slot : (byte)0);
        }
        return inputs;
    }
}
