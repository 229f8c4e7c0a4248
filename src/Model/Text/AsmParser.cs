using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;

namespace Conformance.Model.Text;

/// <summary>
/// The grammar of tools/bpf/bpf_exp.y, instruction by instruction, producing the same encodings
/// (jne/jlt/jle become jeq/jge/jgt with the label in jf; <c>ret x</c> is BPF_RET|BPF_X), plus the
/// seccomp spellings of <see cref="SeccompNames"/>, system call names and two directives:
/// <c>.insn code, jt, jf, k</c> for any raw instruction and <c>.arch ABI</c> for the names after it.
/// The first error stops parsing; it carries the position of the token at fault.
/// </summary>
sealed class AsmParser
{
    enum ImmediateUse { Value, ReturnValue }

    static readonly HashSet<string> Mnemonics = new(StringComparer.OrdinalIgnoreCase)
    {
        "ld", "ldi", "ldb", "ldh", "ldx", "ldxi", "ldxb", "st", "stx", "jmp", "ja", "jeq", "jneq", "jne", "jlt",
        "jle", "jgt", "jge", "jset", "add", "sub", "mul", "div", "mod", "neg", "and", "or", "xor", "lsh", "rsh",
        "ret", "tax", "txa",
    };

    readonly AsmLexer _lexer;
    readonly List<AsmToken> _ahead = [];
    readonly List<PendingInstruction> _instructions = [];
    readonly Dictionary<string, LabelDefinition> _labels = new(StringComparer.Ordinal);
    Abi? _abi;

    AsmParser(string text, AssembleOptions options)
    {
        _lexer = new AsmLexer(text);
        _abi = options.Abi;
    }

    public static ParsedProgram Parse(string text, AssembleOptions options) => new AsmParser(text, options).Program();

    ParsedProgram Program()
    {
        AsmToken? dangling = null;
        while (true)
        {
            var t = Peek();
            if (t.Kind == AsmTokenKind.End)
            {
                if (dangling is { } label)
                    throw Error(label, $"label '{label.Text}' is not followed by an instruction");
                // bpf_asm refuses an empty program too; an empty or all-comment file is a mistake.
                if (_instructions.Count == 0)
                    throw Error(t, "no instructions");
                return new ParsedProgram(_instructions, _labels);
            }
            int before = _instructions.Count;
            if (t.Kind == AsmTokenKind.Word && Peek(1).IsPunct(':'))
            {
                DefineLabel(Take());
                Take();
                dangling = t;
                continue;
            }
            if (t.IsPunct('.'))
                Directive();
            else
                Instruction();
            if (_instructions.Count > before)
                dangling = null;
        }
    }

    void DefineLabel(AsmToken name)
    {
        if (Mnemonics.Contains(name.Text))
            throw Error(name, $"'{name.Text}' is a mnemonic and cannot name a label");
        if (_labels.TryGetValue(name.Text, out var earlier))
            throw Error(name, $"label '{name.Text}' is already defined at {earlier.Line}:{earlier.Column}");
        _labels.Add(name.Text, new LabelDefinition(name.Text, _instructions.Count, name.Line, name.Column));
    }

    void Directive()
    {
        Take();
        var name = Take();
        if (name.IsWord("insn"))
        {
            uint code = Unsigned(0xffff, "an opcode");
            Expect(',');
            uint jt = Unsigned(0xff, "jt");
            Expect(',');
            uint jf = Unsigned(0xff, "jf");
            Expect(',');
            uint k = Peek().IsPunct('#') ? TakeThen(() => Immediate(ImmediateUse.Value)) : Signed();
            _instructions.Add(new PendingInstruction((ushort)code, k) { Jt = (byte)jt, Jf = (byte)jf });
        }
        else if (name.IsWord("arch"))
        {
            var abi = Take();
            if (abi.Kind != AsmTokenKind.Word || !AuditArch.TryParseAbi(abi.Text, out var parsed))
                throw Error(abi, $"expected an ABI (x86_64, i386, x32, aarch64, arm), found {abi.Describe()}");
            _abi = parsed;
        }
        else
            throw Error(name, $"unknown directive {(name.Kind == AsmTokenKind.Word ? "'." + name.Text + "'" : name.Describe())} (.insn, .arch)");
    }

    void Instruction()
    {
        var m = Take();
        if (m.Kind != AsmTokenKind.Word)
            throw Error(m, $"expected a mnemonic or a label, found {m.Describe()}");
        switch (m.Text.ToLowerInvariant())
        {
            case "ld": Ld(); break;
            case "ldi": Emit(Op.LD | Op.IMM, ImmediateOrNumber()); break;
            case "ldb": SizedLoad(m, Op.B); break;
            case "ldh": SizedLoad(m, Op.H); break;
            case "ldx": Ldx(); break;
            case "ldxi": Emit(Op.LDX | Op.IMM, ImmediateOrNumber()); break;
            case "ldxb": Emit(Op.LDX | Op.MSH | Op.B, Msh()); break;
            case "st": Emit(Op.ST, Memory(m)); break;
            case "stx": Emit(Op.STX, Memory(m)); break;
            case "jmp": case "ja":
                _instructions.Add(new PendingInstruction(Op.JMP | Op.JA, 0) { AlwaysTarget = Label() });
                break;
            case "jeq": ConditionalJump(m, Op.JEQ, inverted: false); break;
            case "jneq": case "jne": ConditionalJump(m, Op.JEQ, inverted: true); break;
            case "jlt": ConditionalJump(m, Op.JGE, inverted: true); break;
            case "jle": ConditionalJump(m, Op.JGT, inverted: true); break;
            case "jgt": ConditionalJump(m, Op.JGT, inverted: false); break;
            case "jge": ConditionalJump(m, Op.JGE, inverted: false); break;
            case "jset": ConditionalJump(m, Op.JSET, inverted: false); break;
            case "add": Alu(m, Op.ADD); break;
            case "sub": Alu(m, Op.SUB); break;
            case "mul": Alu(m, Op.MUL); break;
            case "div": Alu(m, Op.DIV); break;
            case "mod": Alu(m, Op.MOD); break;
            case "and": Alu(m, Op.AND); break;
            case "or": Alu(m, Op.OR); break;
            case "xor": Alu(m, Op.XOR); break;
            case "lsh": Alu(m, Op.LSH); break;
            case "rsh": Alu(m, Op.RSH); break;
            case "neg": Emit(Op.ALU | Op.NEG, 0); break;
            case "ret": Ret(m); break;
            case "tax": Emit(Op.MISC | Op.TAX, 0); break;
            case "txa": Emit(Op.MISC | Op.TXA, 0); break;
            default: throw Error(m, $"unknown mnemonic '{m.Text}'");
        }
    }

    void Ld()
    {
        var t = Peek();
        var operand = t.IsPunct('#') ? Peek(1) : t;
        if (operand.IsWord("len"))
        {
            TakeThrough(operand);
            Emit(Op.LD | Op.W | Op.LEN, 0);
        }
        else if (operand.Kind == AsmTokenKind.Word && AncillaryLoads.TryGet(operand.Text, out var ancillary))
        {
            TakeThrough(operand);
            Emit(Op.LD | Op.W | Op.ABS, ancillary);
        }
        else if (t.IsPunct('#'))
        {
            Take();
            Emit(Op.LD | Op.IMM, Immediate(ImmediateUse.Value));
        }
        else if (t.IsWord("m"))
        {
            Emit(Op.LD | Op.MEM, Memory(t));
        }
        else if (t.IsPunct('['))
        {
            Take();
            BracketLoad(Op.W);
        }
        else
            throw Error(t, $"expected an operand for ld (#k, [k], [x+k], M[k], len), found {t.Describe()}");
    }

    void SizedLoad(AsmToken mnemonic, ushort size)
    {
        var t = Peek();
        var operand = t.IsPunct('#') ? Peek(1) : t;
        if (operand.Kind == AsmTokenKind.Word && AncillaryLoads.TryGet(operand.Text, out var ancillary))
        {
            TakeThrough(operand);
            Emit((ushort)(Op.LD | size | Op.ABS), ancillary);
        }
        else if (t.IsPunct('['))
        {
            Take();
            BracketLoad(size);
        }
        else
            throw Error(t, $"expected an operand for {mnemonic.Text} ([k], [x+k]), found {t.Describe()}");
    }

    /// <summary>After '[': either the indirect <c>[x+k]</c> / <c>[%x+k]</c> or an absolute offset.</summary>
    void BracketLoad(ushort size)
    {
        var t = Peek();
        if (t.IsWord("x") || t.IsPunct('%'))
        {
            Register('x');
            Expect('+');
            uint k = Signed();
            Expect(']');
            Emit((ushort)(Op.LD | size | Op.IND), k);
        }
        else
        {
            uint k = AbsoluteOffset();
            Expect(']');
            Emit((ushort)(Op.LD | size | Op.ABS), k);
        }
    }

    void Ldx()
    {
        var t = Peek();
        var operand = t.IsPunct('#') ? Peek(1) : t;
        if (operand.IsWord("len"))
        {
            TakeThrough(operand);
            Emit(Op.LDX | Op.W | Op.LEN, 0);
        }
        else if (t.IsPunct('#'))
        {
            Take();
            Emit(Op.LDX | Op.IMM, Immediate(ImmediateUse.Value));
        }
        else if (t.IsWord("m"))
            Emit(Op.LDX | Op.MEM, Memory(t));
        else if (t.Kind == AsmTokenKind.Number)
            Emit(Op.LDX | Op.MSH | Op.B, Msh());
        else
            throw Error(t, $"expected an operand for ldx (#k, M[k], len, 4*([k]&0xf)), found {t.Describe()}");
    }

    /// <summary><c>4*([k]&amp;0xf)</c>, the IP header length idiom, the only BPF_MSH there is.</summary>
    uint Msh()
    {
        var four = Peek();
        uint multiplier = Signed();
        Expect('*');
        Expect('(');
        Expect('[');
        uint k = AbsoluteOffset();
        Expect(']');
        Expect('&');
        uint mask = Signed();
        Expect(')');
        if (multiplier != 4 || mask != 0xf)
            throw Error(four, "only 4*([k]&0xf) can be encoded (BPF_MSH)");
        return k;
    }

    uint Memory(AsmToken mnemonic)
    {
        var m = Take();
        if (!m.IsWord("m"))
            throw Error(m, $"expected M[k] for {mnemonic.Text}, found {m.Describe()}");
        Expect('[');
        uint k = Signed();
        Expect(']');
        return k;
    }

    void ConditionalJump(AsmToken mnemonic, ushort op, bool inverted)
    {
        var t = Peek();
        ushort src;
        uint k = 0;
        if (t.IsWord("x") || t.IsPunct('%'))
        {
            Register('x');
            src = Op.X;
        }
        else if (t.IsPunct('#'))
        {
            Take();
            k = Immediate(ImmediateUse.Value);
            src = Op.K;
        }
        else
            throw Error(t, $"expected #k or x after {mnemonic.Text}, found {t.Describe()}");

        Expect(',');
        var first = Label();
        LabelReference? second = null;
        if (Peek().IsPunct(','))
        {
            var comma = Take();
            if (inverted)
                throw Error(comma, $"{mnemonic.Text} takes a single label (its false branch falls through)");
            second = Label();
        }
        var code = (ushort)(Op.JMP | op | src);
        _instructions.Add(inverted
            ? new PendingInstruction(code, k) { FalseTarget = first }
            : new PendingInstruction(code, k) { TrueTarget = first, FalseTarget = second });
    }

    void Alu(AsmToken mnemonic, ushort op)
    {
        var t = Peek();
        if (t.IsWord("x") || t.IsPunct('%'))
        {
            Register('x');
            Emit((ushort)(Op.ALU | op | Op.X), 0);
        }
        else if (t.IsPunct('#'))
        {
            Take();
            Emit((ushort)(Op.ALU | op | Op.K), Immediate(ImmediateUse.Value));
        }
        else
            throw Error(t, $"expected #k or x after {mnemonic.Text}, found {t.Describe()}");
    }

    void Ret(AsmToken mnemonic)
    {
        var t = Peek();
        var register = t.IsPunct('%') ? Peek(1) : t;
        if (register.IsWord("a"))
        {
            Register('a');
            Emit(Op.RET | Op.A, 0);
        }
        else if (register.IsWord("x"))
        {
            Register('x');
            Emit(Op.RET | Op.X, 0);
        }
        else if (t.IsPunct('#'))
        {
            Take();
            Emit(Op.RET | Op.K, Immediate(ImmediateUse.ReturnValue));
        }
        else
            throw Error(t, $"expected #k, a or x after {mnemonic.Text}, found {t.Describe()}");
    }

    uint ImmediateOrNumber()
    {
        if (!Peek().IsPunct('#'))
            return Signed();
        Take();
        return Immediate(ImmediateUse.Value);
    }

    /// <summary>What follows '#': a number or a seccomp name.</summary>
    uint Immediate(ImmediateUse use)
    {
        var t = Peek();
        if (t.Kind == AsmTokenKind.Number || t.IsPunct('-') || t.IsPunct('+'))
            return Signed();
        if (t.Kind != AsmTokenKind.Word)
            throw Error(t, $"expected a number or a name after '#', found {t.Describe()}");
        Take();

        // "x86_64.getpid" only when written as one word: a '.' after a space starts a directive.
        if (Peek() is { } dot && dot.IsPunct('.') && dot.Line == t.Line && dot.Column == t.Column + t.Text.Length)
            return QualifiedSyscall(t, use);
        if (SeccompNames.TryAction(t.Text, out var action))
            return action | ActionData(t);
        if (SeccompNames.TryArch(t.Text, out var arch))
            return arch;
        bool syscallSomewhere = Enum.GetValues<Abi>().Any(a => SyscallTable.TryGetNumber(a, t.Text, out _));
        var proper = SeccompNames.CaseInsensitiveMatch(t.Text);
        string action2 = proper is null ? "" : $" (the action is {proper})";
        if (use == ImmediateUse.ReturnValue && syscallSomewhere)
            throw Error(t, $"'{t.Text}' is a system call, not a return value{action2}");
        if (_abi is { } abi && SyscallTable.TryGetNumber(abi, t.Text, out var nr))
            return (uint)nr;
        if (_abi is null && syscallSomewhere)
            throw Error(t, $"system call name '{t.Text}' needs an ABI: give one (asm --arch), add '.arch ABI' or write #x86_64.{t.Text}{action2}");
        if (proper is not null)
            throw Error(t, $"unknown name '{t.Text}' (did you mean {proper}? action and AUDIT_ARCH names are upper case)");
        if (_abi is { } known)
            throw Error(t, $"unknown name '{t.Text}': not an action, an AUDIT_ARCH_* constant or a system call on {AuditArch.Name(known)}");
        throw Error(t, $"unknown name '{t.Text}': not an action or an AUDIT_ARCH_* constant");
    }

    uint QualifiedSyscall(AsmToken abiToken, ImmediateUse use)
    {
        Take();
        var name = Take();
        if (!AuditArch.TryParseAbi(abiToken.Text, out var abi))
            throw Error(abiToken, $"unknown ABI '{abiToken.Text}' (x86_64, i386, x32, aarch64, arm)");
        if (name.Kind != AsmTokenKind.Word)
            throw Error(name, $"expected a system call name after '{abiToken.Text}.', found {name.Describe()}");
        if (!SyscallTable.TryGetNumber(abi, name.Text, out var nr))
            throw Error(name, $"no system call '{name.Text}' on {AuditArch.Name(abi)}");
        if (use == ImmediateUse.ReturnValue)
            throw Error(abiToken, $"'{abiToken.Text}.{name.Text}' is a system call, not a return value");
        return (uint)nr;
    }

    /// <summary>The optional <c>(data)</c> after an action: a number up to 0xffff, or an errno name in ERRNO.</summary>
    uint ActionData(AsmToken action)
    {
        if (!Peek().IsPunct('('))
            return 0;
        Take();
        var d = Peek();
        uint data;
        if (d.Kind == AsmTokenKind.Word)
        {
            Take();
            if (action.Text != "ERRNO")
                throw Error(d, $"errno names only go in ERRNO(...), not {action.Text}(...)");
            if (!ErrnoTable.TryGetValue(d.Text, out var errno))
                throw Error(d, $"unknown errno name '{d.Text}'");
            data = (uint)errno;
        }
        else
        {
            if (d.Kind != AsmTokenKind.Number)
                throw Error(d, $"expected the action's data (0 to 0xffff), found {d.Describe()}");
            data = Take().Number;
        }
        if (data > SeccompRet.DataMask)
            throw Error(d, $"data {d.Text} does not fit in the 16 bits of SECCOMP_RET_DATA");
        Expect(')');
        return data;
    }

    /// <summary>The k of <c>[k]</c>: a number or a seccomp_data field.</summary>
    uint AbsoluteOffset()
    {
        var t = Peek();
        if (t.Kind != AsmTokenKind.Word)
            return Signed();
        Take();
        if (t.IsWord("args") || t.IsWord("args_hi"))
        {
            Expect('[');
            var index = Peek();
            uint i = Signed();
            if (i > 5)
                throw Error(index, $"seccomp_data has args[0] to args[5], not args[{index.Text}]");
            Expect(']');
            return SeccompNames.ArgOffset((int)i, high: t.IsWord("args_hi"));
        }
        if (SeccompNames.TryField(t.Text, out var offset))
            return offset;
        throw Error(t, $"unknown seccomp_data field '{t.Text}' (nr, arch, ip, ip_hi, args[0]..args[5], args_hi[0]..args_hi[5])");
    }

    LabelReference Label()
    {
        var t = Take();
        if (t.Kind != AsmTokenKind.Word)
            throw Error(t, $"expected a label, found {t.Describe()}");
        if (Mnemonics.Contains(t.Text))
            throw Error(t, $"expected a label, found the mnemonic '{t.Text}'");
        return new LabelReference(t.Text, t.Line, t.Column);
    }

    /// <summary>A register, optionally written with bpf_asm's '%' prefix.</summary>
    void Register(char name)
    {
        if (Peek().IsPunct('%'))
            Take();
        var r = Take();
        if (!r.IsWord(name.ToString()))
            throw Error(r, $"expected register {name}, found {r.Describe()}");
    }

    /// <summary>A number with an optional sign; negative values wrap to 32 bits as bpf_asm's strtol does.</summary>
    uint Signed()
    {
        var t = Peek();
        bool negative = false;
        if (t.IsPunct('-') || t.IsPunct('+'))
        {
            negative = t.IsPunct('-');
            Take();
        }
        var n = Take();
        if (n.Kind != AsmTokenKind.Number)
            throw Error(n, $"expected a number, found {n.Describe()}");
        if (!negative)
            return n.Number;
        if (n.Number > 0x80000000u)
            throw Error(t, $"-{n.Text} does not fit in 32 bits");
        return unchecked((uint)-(long)n.Number);
    }

    uint Unsigned(uint max, string what)
    {
        var n = Take();
        if (n.Kind != AsmTokenKind.Number)
            throw Error(n, $"expected {what}, found {n.Describe()}");
        if (n.Number > max)
            throw Error(n, $"{what} {n.Text} is larger than {max}");
        return n.Number;
    }

    void Emit(ushort code, uint k) => _instructions.Add(new PendingInstruction(code, k));

    void Expect(char punct)
    {
        var t = Take();
        if (!t.IsPunct(punct))
            throw Error(t, $"expected '{punct}', found {t.Describe()}");
    }

    T TakeThen<T>(Func<T> then)
    {
        Take();
        return then();
    }

    /// <summary>Consumes tokens up to and including the given one (an optional '#' and a keyword).</summary>
    void TakeThrough(AsmToken last)
    {
        while (Take() != last) { }
    }

    AsmToken Peek(int ahead = 0)
    {
        while (_ahead.Count <= ahead)
            _ahead.Add(_lexer.Next());
        return _ahead[ahead];
    }

    AsmToken Take()
    {
        var t = Peek();
        _ahead.RemoveAt(0);
        return t;
    }

    static FilterSyntaxException Error(AsmToken at, string reason) => new(at.Line, at.Column, reason);
}
