using Conformance.Model.Bpf;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>
/// Generates filter bodies that seccomp's checker accepts, by construction: only opcodes seccomp
/// allows, 4-aligned loads inside seccomp_data, scratch words written (on the straight-line head,
/// before any jump) before they are read, forward jumps that land inside the program, no constant
/// division by zero or shift by 32 or more, and a RET last. <see cref="InvalidMutator"/> breaks one
/// rule on purpose for the checker's share. The structure biases towards what seccomp filters do:
/// load a field, compare it with a constant the inputs carry, return an action.
/// </summary>
public sealed class FilterGenerator(ConstantPool pool)
{
    /// <summary>A body of about <paramref name="size"/> instructions (at least one, always ending in RET).</summary>
    public Instruction[] Body(FuzzRandom rng, int size)
    {
        var head = new List<Instruction>();
        var written = new List<uint>();
        // Scratch writes first: reads later are then valid on every path.
        int stores = rng.Chance(30) ? 1 + rng.Pick(3) : 0;
        for (int i = 0; i < stores; i++)
        {
            head.Add(Load(rng, written));
            uint m = (uint)rng.Pick(Op.MemWords);
            head.Add(rng.Chance(70) ? Instruction.Stmt(Op.ST, m) : Instruction.Stmt(Op.STX, m));
            written.Add(m);
        }

        int count = Math.Max(1, size - head.Count);
        var body = new Instruction[count];
        for (int i = 0; i < count - 1; i++)
            body[i] = Next(rng, written, count - 1 - i);
        body[count - 1] = Ret(rng);
        return [.. head, .. body];
    }

    /// <summary>One instruction that has <paramref name="after"/> instructions after it (so a jump has somewhere to land).</summary>
    Instruction Next(FuzzRandom rng, List<uint> written, int after)
    {
        int roll = rng.Pick(100);
        if (roll < 25) return Load(rng, written);
        if (roll < 55) return Jump(rng, after);
        if (roll < 70) return Ret(rng);
        if (roll < 85) return Alu(rng);
        if (roll < 92) return rng.Chance(50) ? Instruction.Stmt(Op.MISC | Op.TAX, 0) : Instruction.Stmt(Op.MISC | Op.TXA, 0);
        return LoadX(rng, written);
    }

    Instruction Load(FuzzRandom rng, List<uint> written)
    {
        int roll = rng.Pick(100);
        if (roll < 70)
        {
            // nr, arch, the instruction pointer's words, the arguments' words: nr and args most often.
            uint off = rng.Pick(10) switch
            {
                < 4 => 0,
                4 => 4,
                5 => (uint)(8 + 4 * rng.Pick(2)),
                _ => (uint)(16 + 4 * rng.Pick(12)),
            };
            return Instruction.Stmt(Op.LD | Op.W | Op.ABS, off);
        }
        if (roll < 82) return Instruction.Stmt(Op.LD | Op.IMM, Word(rng));
        if (roll < 92 && written.Count > 0) return Instruction.Stmt(Op.LD | Op.MEM, rng.Pick(written));
        return Instruction.Stmt(Op.LD | Op.W | Op.LEN, 0);
    }

    Instruction LoadX(FuzzRandom rng, List<uint> written)
    {
        if (written.Count > 0 && rng.Chance(40)) return Instruction.Stmt(Op.LDX | Op.MEM, rng.Pick(written));
        if (rng.Chance(15)) return Instruction.Stmt(Op.LDX | Op.W | Op.LEN, 0);
        return Instruction.Stmt(Op.LDX | Op.IMM, Word(rng));
    }

    Instruction Jump(FuzzRandom rng, int after)
    {
        // Offsets land on one of the following instructions; short ones most often.
        byte Offset() => (byte)Math.Min(rng.Chance(70) ? rng.Pick(Math.Min(after, 4)) : rng.Pick(after), 255);
        if (rng.Chance(8))
            return Instruction.Stmt(Op.JMP | Op.JA, (uint)rng.Pick(after));
        ushort op = rng.Pick(10) switch { < 6 => Op.JEQ, 6 => Op.JGT, 7 => Op.JGE, _ => Op.JSET };
        ushort src = rng.Chance(15) ? Op.X : Op.K;
        return Instruction.Jump((ushort)(Op.JMP | op | src), src == Op.K ? Word(rng) : 0, Offset(), Offset());
    }

    Instruction Alu(FuzzRandom rng)
    {
        // No MOD: seccomp refuses it (InvalidMutator uses it). XOR is refused by the oldest kernels only.
        ushort[] ops = [Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.AND, Op.OR, Op.XOR, Op.LSH, Op.RSH, Op.NEG];
        ushort op = rng.Pick(ops);
        if (op == Op.NEG) return Instruction.Stmt(Op.ALU | Op.NEG, 0);
        if (rng.Chance(25)) return Instruction.Stmt((ushort)(Op.ALU | op | Op.X), 0);
        uint k = op switch
        {
            Op.DIV => Math.Max(1u, Word(rng)),
            Op.LSH or Op.RSH => (uint)rng.Pick(32),
            _ => Word(rng),
        };
        return Instruction.Stmt((ushort)(Op.ALU | op | Op.K), k);
    }

    Instruction Ret(FuzzRandom rng) =>
        rng.Chance(12) ? Instruction.Stmt(Op.RET | Op.A, 0) : Instruction.Stmt(Op.RET | Op.K, rng.Pick(pool.Actions));

    uint Word(FuzzRandom rng) => rng.Chance(85) ? rng.Pick(pool.Words) : (uint)rng.NextU64();
}
