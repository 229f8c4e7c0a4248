using Conformance.Model.Bpf;

namespace Conformance.Model.Text;

/// <summary>What the accumulator certainly holds when an instruction starts, as far as names go.</summary>
enum AccumulatorHolds { Unknown, SyscallNumber, Arch }

/// <summary>
/// A forward data-flow pass (classic BPF only jumps forward, so one pass in order sees every
/// predecessor first): A holds nr or arch at an instruction only if every path reaching it loaded
/// that field and nothing wrote A since. The disassembler prints syscall and AUDIT_ARCH names only there.
/// </summary>
static class AccumulatorFacts
{
    public static AccumulatorHolds[] Compute(IReadOnlyList<Instruction> program)
    {
        int n = program.Count;
        var incoming = new AccumulatorHolds?[n];
        var result = new AccumulatorHolds[n];
        for (int i = 0; i < n; i++)
        {
            var ins = program[i];
            var state = i == 0 ? AccumulatorHolds.Unknown : incoming[i] ?? AccumulatorHolds.Unknown;
            result[i] = state;
            var after = Transfer(ins, state);
            switch (Op.ClassOf(ins.Code))
            {
                case Op.RET:
                    break;
                case Op.JMP when Op.OpOf(ins.Code) == Op.JA:
                    Flow(incoming, i + 1L + ins.K, after);
                    break;
                case Op.JMP:
                    Flow(incoming, i + 1L + ins.Jt, after);
                    Flow(incoming, i + 1L + ins.Jf, after);
                    break;
                default:
                    Flow(incoming, i + 1L, after);
                    break;
            }
        }
        return result;
    }

    static AccumulatorHolds Transfer(Instruction ins, AccumulatorHolds state)
    {
        if (ins.Code == (Op.LD | Op.W | Op.ABS))
            return ins.K switch { 0 => AccumulatorHolds.SyscallNumber, 4 => AccumulatorHolds.Arch, _ => AccumulatorHolds.Unknown };
        bool keepsA = Op.ClassOf(ins.Code) switch
        {
            Op.ST or Op.STX or Op.LDX or Op.JMP => true,
            Op.MISC => Op.MiscOpOf(ins.Code) == Op.TAX,
            _ => false,
        };
        return keepsA ? state : AccumulatorHolds.Unknown;
    }

    static void Flow(AccumulatorHolds?[] incoming, long target, AccumulatorHolds value)
    {
        if (target >= incoming.Length)
            return;
        var current = incoming[target];
        incoming[target] = current is null || current == value ? value : AccumulatorHolds.Unknown;
    }
}
