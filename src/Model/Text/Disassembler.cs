using System.Text;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;

namespace Conformance.Model.Text;

/// <summary>
/// Writes a program as bpf_asm text that <see cref="Assembler"/> reads back into the identical
/// instructions, for every program including invalid ones. Jump targets get labels <c>L&lt;index&gt;</c>;
/// seccomp names are used where they are exact: <c>ld [nr]</c>, <c>ld [args[1]]</c>,
/// <c>ret #ERRNO(5)</c>, and in <c>jeq</c>/<c>jne</c> AUDIT_ARCH names where A certainly holds arch
/// and (given an ABI, announced by a leading <c>.arch</c> line) syscall names where A certainly holds nr.
/// Whatever bpf_asm cannot express (unknown opcodes, stray jt/jf/k bits, jumps past the end) is
/// written as <c>.insn code, jt, jf, k</c>.
/// </summary>
public static class Disassembler
{
    public static string Disassemble(IReadOnlyList<Instruction> program, Abi? abi = null)
    {
        var facts = AccumulatorFacts.Compute(program);
        var labelled = new bool[program.Count];
        var lines = new string[program.Count];
        bool namedSyscalls = false;
        for (int i = 0; i < program.Count; i++)
        {
            var context = new Context(program.Count, i, facts[i], abi, labelled);
            lines[i] = Render(program[i], context, ref namedSyscalls) ?? Raw(program[i]);
        }

        var sb = new StringBuilder();
        if (namedSyscalls && abi is { } a)
            sb.Append(".arch ").Append(AuditArch.Name(a)).Append('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (labelled[i])
                sb.Append(Label(i)).Append(':');
            sb.Append('\t').Append(lines[i]).Append('\n');
        }
        return sb.ToString();
    }

    readonly record struct Context(int Count, int Index, AccumulatorHolds Holds, Abi? Abi, bool[] Labelled)
    {
        /// <summary>A label for index+1+offset, or null when that is past the end (no instruction to label).</summary>
        public string? Target(long offset)
        {
            long target = Index + 1L + offset;
            if (target >= Count)
                return null;
            Labelled[target] = true;
            return Label((int)target);
        }
    }

    static string Label(int index) => $"L{index}";

    static string Raw(Instruction i) => $".insn 0x{i.Code:x2}, {i.Jt}, {i.Jf}, 0x{i.K:x}";

    static string? Render(Instruction ins, Context c, ref bool namedSyscalls)
    {
        ushort code = ins.Code;
        uint k = ins.K;
        if (Op.ClassOf(code) == Op.JMP && code < 0x100)
            return RenderJump(ins, c, ref namedSyscalls);
        if (ins.Jt != 0 || ins.Jf != 0)
            return null;
        return code switch
        {
            Op.LD | Op.IMM => $"ld #{Number(k)}",
            Op.LD | Op.W | Op.ABS => AncillaryLoads.NameOf(k) is { } ext ? $"ld #{ext}"
                : SeccompNames.FieldNameOf(k) is { } field ? $"ld [{field}]" : $"ld [{Number(k)}]",
            Op.LD | Op.H | Op.ABS => AncillaryLoads.NameOf(k) is { } ext ? $"ldh #{ext}" : $"ldh [{Number(k)}]",
            Op.LD | Op.B | Op.ABS => AncillaryLoads.NameOf(k) is { } ext ? $"ldb #{ext}" : $"ldb [{Number(k)}]",
            Op.LD | Op.W | Op.IND => $"ld [x + {Number(k)}]",
            Op.LD | Op.H | Op.IND => $"ldh [x + {Number(k)}]",
            Op.LD | Op.B | Op.IND => $"ldb [x + {Number(k)}]",
            Op.LD | Op.MEM => $"ld M[{Number(k)}]",
            Op.LD | Op.W | Op.LEN when k == 0 => "ld len",
            Op.LDX | Op.IMM => $"ldx #{Number(k)}",
            Op.LDX | Op.MEM => $"ldx M[{Number(k)}]",
            Op.LDX | Op.W | Op.LEN when k == 0 => "ldx len",
            Op.LDX | Op.MSH | Op.B => $"ldxb 4*([{Number(k)}]&0xf)",
            Op.ST => $"st M[{Number(k)}]",
            Op.STX => $"stx M[{Number(k)}]",
            Op.ALU | Op.NEG when k == 0 => "neg",
            Op.RET | Op.K => $"ret #{ReturnValue(k)}",
            Op.RET | Op.A when k == 0 => "ret a",
            Op.RET | Op.X when k == 0 => "ret x",
            Op.MISC | Op.TAX when k == 0 => "tax",
            Op.MISC | Op.TXA when k == 0 => "txa",
            _ when Op.ClassOf(code) == Op.ALU && AluName(code) is { } alu =>
                Op.SrcOf(code) == Op.K ? $"{alu} #{Number(k)}" : k == 0 ? $"{alu} x" : null,
            _ => null,
        };
    }

    static string? AluName(ushort code) => (code & ~(Op.ALU | Op.X)) switch
    {
        Op.ADD => "add", Op.SUB => "sub", Op.MUL => "mul", Op.DIV => "div", Op.MOD => "mod",
        Op.AND => "and", Op.OR => "or", Op.XOR => "xor", Op.LSH => "lsh", Op.RSH => "rsh",
        _ => null,
    };

    static string? RenderJump(Instruction ins, Context c, ref bool namedSyscalls)
    {
        ushort op = Op.OpOf(ins.Code);
        bool x = Op.SrcOf(ins.Code) == Op.X;
        if (op == Op.JA)
            return ins.Code == (Op.JMP | Op.JA) && ins.Jt == 0 && ins.Jf == 0 && c.Target(ins.K) is { } to ? $"ja {to}" : null;

        (string name, string? inverse) = op switch
        {
            Op.JEQ => ("jeq", "jne"),
            Op.JGT => ("jgt", "jle"),
            Op.JGE => ("jge", "jlt"),
            Op.JSET => ("jset", (string?)null),
            _ => (null!, null),
        };
        if (name is null || (x && ins.K != 0))
            return null;
        if (c.Index + 1L + ins.Jt >= c.Count || c.Index + 1L + ins.Jf >= c.Count)
            return null;

        string operand = x ? "x" : "#" + Comparand(ins.K, op, c, ref namedSyscalls);
        if (ins.Jt != 0 && ins.Jf == 0)
            return $"{name} {operand}, {c.Target(ins.Jt)}";
        if (ins.Jt == 0 && ins.Jf != 0 && inverse is not null)
            return $"{inverse} {operand}, {c.Target(ins.Jf)}";
        if (ins.Jt == 0 && ins.Jf == 0)
            return $"{name} {operand}, {c.Target(0)}";
        return $"{name} {operand}, {c.Target(ins.Jt)}, {c.Target(ins.Jf)}";
    }

    /// <summary>An equality test's constant, named when A certainly holds the field it would be compared with.</summary>
    static string Comparand(uint k, ushort op, Context c, ref bool namedSyscalls)
    {
        if (op == Op.JEQ && c.Holds == AccumulatorHolds.Arch && SeccompNames.ArchNameOf(k) is { } arch)
            return arch;
        if (op == Op.JEQ && c.Holds == AccumulatorHolds.SyscallNumber && c.Abi is { } abi && k <= int.MaxValue
            && SyscallTable.NameOf(abi, (int)k) is { } syscall)
        {
            namedSyscalls = true;
            return syscall;
        }
        return Number(k);
    }

    static string ReturnValue(uint k)
    {
        if (SeccompNames.ActionNameOf(k) is not { } action)
            return Number(k);
        uint data = k & SeccompRet.DataMask;
        return data == 0 ? action : $"{action}({data})";
    }

    static string Number(uint k) => k < 0x10000 ? k.ToString() : $"0x{k:x}";
}
