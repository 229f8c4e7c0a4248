using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Tests.Model;

/// <summary>Random programs that Linux's checker accepts: every cell stored first, forward jumps only.</summary>
static class RandomPrograms
{
    static readonly ushort[] Alu =
    [
        Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.AND, Op.OR, Op.XOR, Op.LSH, Op.RSH,
    ];

    static readonly uint[] Interesting =
    [
        0, 1, 2, 3, 7, 31, 32, 33, 63, 64, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff,
        SeccompRet.Allow, SeccompRet.Errno | 1, SeccompRet.Trap, SeccompRet.KillProcess, AuditArch.X86_64,
    ];

    static uint Value(Random r) => r.Next(3) == 0 ? (uint)r.NextInt64(0, 1L << 32) : Interesting[r.Next(Interesting.Length)];

    public static Instruction[] Accepted(Random r, int length)
    {
        while (true)
        {
            var p = Generate(r, length);
            if (FilterChecker.Check(p, KernelProfiles.Default).Accepted)
                return p;
        }
    }

    static Instruction[] Generate(Random r, int length)
    {
        var p = new Instruction[length];
        int pc = 0;
        for (uint m = 0; m < 16 && pc < length - 1; m++)
        {
            p[pc++] = new Instruction(Op.LD | Op.IMM, 0, 0, Value(r));
            p[pc++] = new Instruction(Op.ST, 0, 0, m);
        }
        for (; pc < length - 1; pc++)
        {
            int room = length - pc - 2;
            p[pc] = r.Next(12) switch
            {
                0 => new Instruction(Op.LD | Op.W | Op.ABS, 0, 0, (uint)r.Next(16) * 4),
                1 => new Instruction((ushort)(r.Next(2) == 0 ? Op.LD | Op.IMM : Op.LDX | Op.IMM), 0, 0, Value(r)),
                2 => new Instruction((ushort)(r.Next(2) == 0 ? Op.LD | Op.MEM : Op.LDX | Op.MEM), 0, 0, (uint)r.Next(16)),
                3 => new Instruction((ushort)(r.Next(2) == 0 ? Op.ST : Op.STX), 0, 0, (uint)r.Next(16)),
                4 or 5 => AluInstruction(r),
                6 => new Instruction((ushort)(r.Next(3) switch { 0 => Op.MISC | Op.TAX, 1 => Op.MISC | Op.TXA, _ => Op.ALU | Op.NEG }), 0, 0, 0),
                7 => new Instruction(Op.JMP | Op.JA, 0, 0, (uint)r.Next(Math.Min(room, 8) + 1)),
                8 => new Instruction((ushort)(r.Next(2) == 0 ? Op.LD | Op.W | Op.LEN : Op.LDX | Op.W | Op.LEN), 0, 0, 0),
                9 when room > 0 => new Instruction(Op.RET | Op.A, 0, 0, 0),
                _ => ConditionalJump(r, room),
            };
        }
        p[length - 1] = r.Next(2) == 0 ? new Instruction(Op.RET | Op.A, 0, 0, 0) : new Instruction(Op.RET | Op.K, 0, 0, Value(r));
        return p;
    }

    static Instruction AluInstruction(Random r)
    {
        var op = Alu[r.Next(Alu.Length)];
        if (r.Next(2) == 0)
            return new Instruction((ushort)(Op.ALU | op | Op.X), 0, 0, 0);
        uint k = op is Op.LSH or Op.RSH ? (uint)r.Next(32) : Value(r);
        if (op == Op.DIV && k == 0) k = 1;
        return new Instruction((ushort)(Op.ALU | op | Op.K), 0, 0, k);
    }

    static Instruction ConditionalJump(Random r, int room)
    {
        ushort[] ops = [Op.JEQ, Op.JGT, Op.JGE, Op.JSET];
        var code = (ushort)(Op.JMP | ops[r.Next(4)] | (r.Next(2) == 0 ? Op.K : Op.X));
        int max = Math.Min(room, 255);
        return new Instruction(code, (byte)r.Next(max + 1), (byte)r.Next(max + 1), Value(r));
    }

    public static SeccompData Data(Random r) =>
        new(r.Next(3) == 0 ? (int)Value(r) : r.Next(0, 450), r.Next(2) == 0 ? AuditArch.X86_64 : Value(r),
            (ulong)r.NextInt64(), Arg(r), Arg(r), Arg(r), Arg(r), Arg(r), Arg(r));

    static ulong Arg(Random r) => ((ulong)Value(r) << 32) | Value(r);
}
