using Conformance.Model.Bpf;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>
/// Breaks one of the checker's rules in a valid body, so the install verdict (EINVAL, or an attach
/// Linux would refuse) is fuzzed too: an opcode outside the table or seccomp's subset, a load
/// outside or unaligned in seccomp_data, a jump past the end, a constant division by zero, a shift
/// of 32 or more, a scratch index past 15, a read of an unwritten scratch word, no RET last.
/// </summary>
public static class InvalidMutator
{
    public static Instruction[] Break(FuzzRandom rng, Instruction[] body)
    {
        var p = (Instruction[])body.Clone();
        int at = rng.Pick(p.Length);
        switch (rng.Pick(10))
        {
            case 0:
                p[at] = Instruction.Stmt((ushort)rng.Pick(0x10000), p[at].K);
                break;
            case 1:
                // Valid classic BPF that seccomp does not take: packet loads and the internal LDX|W|ABS.
                p[at] = Instruction.Stmt(rng.Pick([(ushort)(Op.LD | Op.B | Op.ABS), (ushort)(Op.LD | Op.W | Op.IND), (ushort)(Op.LDX | Op.B | Op.MSH), (ushort)0x21]), (uint)rng.Pick(64));
                break;
            case 2:
                p[at] = Instruction.Stmt(Op.LD | Op.W | Op.ABS, rng.Chance(50) ? (uint)(1 + 4 * rng.Pick(16)) : (uint)(64 + 4 * rng.Pick(4)));
                break;
            case 3:
                p[at] = Instruction.Jump(Op.JMP | Op.JEQ | Op.K, 0, (byte)(p.Length - at - 1 + rng.Pick(3)), 0);
                break;
            case 4:
                p[at] = Instruction.Stmt(Op.JMP | Op.JA, (uint)(p.Length - at - 1 + rng.Pick(3)));
                break;
            case 5:
                p[at] = Instruction.Stmt((ushort)(Op.ALU | rng.Pick([Op.DIV, Op.MOD]) | Op.K), 0);
                break;
            case 6:
                p[at] = Instruction.Stmt((ushort)(Op.ALU | rng.Pick([Op.LSH, Op.RSH]) | Op.K), 32 + (uint)rng.Pick(64));
                break;
            case 7:
                p[at] = Instruction.Stmt(rng.Pick([Op.ST, Op.STX, (ushort)(Op.LD | Op.MEM)]), 16 + (uint)rng.Pick(16));
                break;
            case 8:
                // Read a scratch word no path wrote: the first instruction cannot have a writer before it.
                p[0] = Instruction.Stmt(Op.LD | Op.MEM, (uint)rng.Pick(Op.MemWords));
                break;
            default:
                p[^1] = Instruction.Stmt(Op.LD | Op.IMM, p[^1].K);
                break;
        }
        return p;
    }
}
