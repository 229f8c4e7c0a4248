using Conformance.Model.Bpf;

namespace Conformance.Model.Seccomp;

/// <summary>
/// seccomp_check_filter's whitelist: classic BPF minus MOD, byte and half-word loads, indirect
/// loads, MSH and ancillary data. LD|W|ABS and the LEN loads are handled by the caller.
/// </summary>
public static class SeccompOpcodes
{
    public static bool IsAllowed(ushort code, KernelProfile profile)
    {
        switch (code)
        {
            case Op.LD | Op.W | Op.ABS:
            case Op.LD | Op.W | Op.LEN:
            case Op.LDX | Op.W | Op.LEN:
            case Op.RET | Op.K:
            case Op.RET | Op.A:
            case Op.ALU | Op.ADD | Op.K:
            case Op.ALU | Op.ADD | Op.X:
            case Op.ALU | Op.SUB | Op.K:
            case Op.ALU | Op.SUB | Op.X:
            case Op.ALU | Op.MUL | Op.K:
            case Op.ALU | Op.MUL | Op.X:
            case Op.ALU | Op.DIV | Op.K:
            case Op.ALU | Op.DIV | Op.X:
            case Op.ALU | Op.AND | Op.K:
            case Op.ALU | Op.AND | Op.X:
            case Op.ALU | Op.OR | Op.K:
            case Op.ALU | Op.OR | Op.X:
            case Op.ALU | Op.LSH | Op.K:
            case Op.ALU | Op.LSH | Op.X:
            case Op.ALU | Op.RSH | Op.K:
            case Op.ALU | Op.RSH | Op.X:
            case Op.ALU | Op.NEG:
            case Op.LD | Op.IMM:
            case Op.LDX | Op.IMM:
            case Op.MISC | Op.TAX:
            case Op.MISC | Op.TXA:
            case Op.LD | Op.MEM:
            case Op.LDX | Op.MEM:
            case Op.ST:
            case Op.STX:
            case Op.JMP | Op.JA:
            case Op.JMP | Op.JEQ | Op.K:
            case Op.JMP | Op.JEQ | Op.X:
            case Op.JMP | Op.JGE | Op.K:
            case Op.JMP | Op.JGE | Op.X:
            case Op.JMP | Op.JGT | Op.K:
            case Op.JMP | Op.JGT | Op.X:
            case Op.JMP | Op.JSET | Op.K:
            case Op.JMP | Op.JSET | Op.X:
                return true;
            case Op.ALU | Op.XOR | Op.K:
            case Op.ALU | Op.XOR | Op.X:
                return profile.AllowsXor;
            default:
                return false;
        }
    }
}
