namespace Conformance.Model.Bpf;

/// <summary>
/// The opcode table of chk_code_allowed (net/core/filter.c): the only 16-bit codes any classic
/// BPF program may contain. Anything else — including the seccomp-internal LDX|W|ABS (0x21) — is
/// EINVAL before any other rule.
/// </summary>
public static class ClassicOpcodes
{
    static readonly bool[] Table = Build();

    static bool[] Build()
    {
        var t = new bool[256];
        foreach (var alu in new[] { Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MOD, Op.AND, Op.OR, Op.XOR, Op.LSH, Op.RSH })
        {
            t[Op.ALU | alu | Op.K] = true;
            t[Op.ALU | alu | Op.X] = true;
        }
        t[Op.ALU | Op.NEG] = true;
        foreach (var size in new[] { Op.W, Op.H, Op.B })
        {
            t[Op.LD | size | Op.ABS] = true;
            t[Op.LD | size | Op.IND] = true;
        }
        t[Op.LD | Op.W | Op.LEN] = true;
        t[Op.LD | Op.IMM] = true;
        t[Op.LD | Op.MEM] = true;
        t[Op.LDX | Op.W | Op.LEN] = true;
        t[Op.LDX | Op.B | Op.MSH] = true;
        t[Op.LDX | Op.IMM] = true;
        t[Op.LDX | Op.MEM] = true;
        t[Op.ST] = true;
        t[Op.STX] = true;
        t[Op.MISC | Op.TAX] = true;
        t[Op.MISC | Op.TXA] = true;
        t[Op.RET | Op.K] = true;
        t[Op.RET | Op.A] = true;
        t[Op.JMP | Op.JA] = true;
        foreach (var j in new[] { Op.JEQ, Op.JGE, Op.JGT, Op.JSET })
        {
            t[Op.JMP | j | Op.K] = true;
            t[Op.JMP | j | Op.X] = true;
        }
        return t;
    }

    public static bool IsAllowed(ushort code) => code < Table.Length && Table[code];

    /// <summary>A short name for messages, e.g. "ldh [k]", "mod x", "ret x".</summary>
    public static string Describe(ushort code)
    {
        if (code > 0xff) return "beyond 8 bits";
        string src = Op.SrcOf(code) == Op.X ? "x" : "#k";
        switch (Op.ClassOf(code))
        {
            case Op.LD:
            case Op.LDX:
            {
                string reg = Op.ClassOf(code) == Op.LD ? "ld" : "ldx";
                string size = Op.SizeOf(code) switch { Op.W => "", Op.H => "h", Op.B => "b", _ => "?" };
                return Op.ModeOf(code) switch
                {
                    Op.IMM => $"{reg}{size} #k",
                    Op.ABS => $"{reg}{size} [k]",
                    Op.IND => $"{reg}{size} [x+k]",
                    Op.MEM => $"{reg}{size} M[k]",
                    Op.LEN => $"{reg}{size} len",
                    Op.MSH => $"{reg}{size} 4*([k]&0xf)",
                    _ => $"{reg} (mode 0x{Op.ModeOf(code):x2})",
                };
            }
            case Op.ST: return "st M[k]";
            case Op.STX: return "stx M[k]";
            case Op.ALU:
            {
                string name = Op.OpOf(code) switch
                {
                    Op.ADD => "add", Op.SUB => "sub", Op.MUL => "mul", Op.DIV => "div", Op.OR => "or", Op.AND => "and",
                    Op.LSH => "lsh", Op.RSH => "rsh", Op.NEG => "neg", Op.MOD => "mod", Op.XOR => "xor", _ => "alu?",
                };
                return name == "neg" ? (src == "x" ? "neg x" : "neg") : $"{name} {src}";
            }
            case Op.JMP:
            {
                string name = Op.OpOf(code) switch { Op.JA => "ja", Op.JEQ => "jeq", Op.JGT => "jgt", Op.JGE => "jge", Op.JSET => "jset", _ => "jmp?" };
                return name == "ja" ? "ja" : $"{name} {src}";
            }
            case Op.RET:
                return Op.RvalOf(code) switch { Op.K => "ret #k", Op.A => "ret a", Op.X => "ret x", _ => "ret ?" };
            default:
                return Op.MiscOpOf(code) switch { Op.TAX => "tax", Op.TXA => "txa", _ => "misc?" };
        }
    }
}
