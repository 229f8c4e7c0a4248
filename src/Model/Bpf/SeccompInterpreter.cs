using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Conformance.Model.Seccomp;

namespace Conformance.Model.Bpf;

/// <summary>
/// A filter that Linux's checker accepted, decoded for repeated runs over struct seccomp_data
/// (only such filters: see <see cref="Load"/>).
/// The semantics are those of the kernel's cBPF-to-eBPF conversion run by the interpreter
/// (kernel/bpf/core.c): A = X = 0 at entry, 32-bit wrapping ALU, unsigned DIV, DIV by X == 0
/// ends the filter with 0, shifts by X use X &amp; 31, unsigned compares, native-endian loads.
/// </summary>
public sealed class SeccompInterpreter
{
    /// <summary>Runs after which a filter is compiled to IL; compiling costs about as much as a few hundred runs.</summary>
    public const int CompileThreshold = 256;

    readonly DecodedInsn[] _code;
    CompiledFilter? _compiled;
    int _runs;

    /// <summary>The program as the user supplied it (what PTRACE_SECCOMP_GET_FILTER returns).</summary>
    public Instruction[] Original { get; }

    SeccompInterpreter(Instruction[] original, DecodedInsn[] code)
    {
        Original = original;
        _code = code;
    }

    /// <summary>
    /// Decodes a program Linux's checker accepts under the profile. The run loop trusts what the
    /// checker proves (every jump lands inside, the last instruction returns, loads stay in
    /// seccomp_data and M[]), so any other program is refused here; <see cref="LoadedFilter"/>
    /// is the total way in.
    /// </summary>
    public static SeccompInterpreter Load(Instruction[] program, KernelProfile profile)
    {
        var check = FilterChecker.Check(program, profile);
        if (!check.Accepted)
            throw new ArgumentException($"Linux rejects this program ({check}); load it as a LoadedFilter", nameof(program));
        return LoadAccepted(program, profile);
    }

    /// <summary>The same for a program the caller has just checked.</summary>
    internal static SeccompInterpreter LoadAccepted(Instruction[] program, KernelProfile profile)
    {
        var code = new DecodedInsn[program.Length];
        for (int pc = 0; pc < program.Length; pc++)
            code[pc] = Decode(program[pc], pc, profile);
        return new SeccompInterpreter(program, code);
    }

    static DecodedInsn Decode(Instruction insn, int pc, KernelProfile profile)
    {
        var d = new DecodedInsn { K = insn.K };
        switch (insn.Code)
        {
            case Op.LD | Op.IMM: d.Op = DecodedOp.LdImm; break;
            case Op.LDX | Op.IMM: d.Op = DecodedOp.LdxImm; break;
            case Op.LD | Op.W | Op.LEN: d.Op = DecodedOp.LdImm; d.K = SeccompData.Size; break;
            case Op.LDX | Op.W | Op.LEN: d.Op = DecodedOp.LdxImm; d.K = SeccompData.Size; break;
            case Op.LD | Op.W | Op.ABS: d.Op = DecodedOp.LdAbs; d.K = insn.K / 4; break;
            case Op.LD | Op.MEM: d.Op = DecodedOp.LdMem; break;
            case Op.LDX | Op.MEM: d.Op = DecodedOp.LdxMem; break;
            case Op.ST: d.Op = DecodedOp.St; break;
            case Op.STX: d.Op = DecodedOp.Stx; break;
            case Op.ALU | Op.ADD | Op.K: d.Op = DecodedOp.AddK; break;
            case Op.ALU | Op.ADD | Op.X: d.Op = DecodedOp.AddX; break;
            case Op.ALU | Op.SUB | Op.K: d.Op = DecodedOp.SubK; break;
            case Op.ALU | Op.SUB | Op.X: d.Op = DecodedOp.SubX; break;
            case Op.ALU | Op.MUL | Op.K: d.Op = DecodedOp.MulK; break;
            case Op.ALU | Op.MUL | Op.X: d.Op = DecodedOp.MulX; break;
            case Op.ALU | Op.DIV | Op.K:
                if (profile.ReciprocalDivide)
                {
                    d.Op = DecodedOp.DivKReciprocal;
                    d.K = ReciprocalValue(insn.K);
                }
                else d.Op = DecodedOp.DivK;
                break;
            case Op.ALU | Op.DIV | Op.X: d.Op = DecodedOp.DivX; break;
            case Op.ALU | Op.MOD | Op.K: d.Op = DecodedOp.ModK; break;
            case Op.ALU | Op.MOD | Op.X: d.Op = DecodedOp.ModX; break;
            case Op.ALU | Op.AND | Op.K: d.Op = DecodedOp.AndK; break;
            case Op.ALU | Op.AND | Op.X: d.Op = DecodedOp.AndX; break;
            case Op.ALU | Op.OR | Op.K: d.Op = DecodedOp.OrK; break;
            case Op.ALU | Op.OR | Op.X: d.Op = DecodedOp.OrX; break;
            case Op.ALU | Op.XOR | Op.K: d.Op = DecodedOp.XorK; break;
            case Op.ALU | Op.XOR | Op.X: d.Op = DecodedOp.XorX; break;
            case Op.ALU | Op.LSH | Op.K: d.Op = DecodedOp.LshK; break;
            case Op.ALU | Op.LSH | Op.X: d.Op = DecodedOp.LshX; break;
            case Op.ALU | Op.RSH | Op.K: d.Op = DecodedOp.RshK; break;
            case Op.ALU | Op.RSH | Op.X: d.Op = DecodedOp.RshX; break;
            case Op.ALU | Op.NEG: d.Op = DecodedOp.Neg; break;
            case Op.MISC | Op.TAX: d.Op = DecodedOp.Tax; break;
            case Op.MISC | Op.TXA: d.Op = DecodedOp.Txa; break;
            case Op.JMP | Op.JA: d.Op = DecodedOp.Ja; d.True = (ushort)(pc + 1 + insn.K); break;
            case Op.JMP | Op.JEQ | Op.K: d.Op = DecodedOp.JeqK; goto conditional;
            case Op.JMP | Op.JEQ | Op.X: d.Op = DecodedOp.JeqX; goto conditional;
            case Op.JMP | Op.JGT | Op.K: d.Op = DecodedOp.JgtK; goto conditional;
            case Op.JMP | Op.JGT | Op.X: d.Op = DecodedOp.JgtX; goto conditional;
            case Op.JMP | Op.JGE | Op.K: d.Op = DecodedOp.JgeK; goto conditional;
            case Op.JMP | Op.JGE | Op.X: d.Op = DecodedOp.JgeX; goto conditional;
            case Op.JMP | Op.JSET | Op.K: d.Op = DecodedOp.JsetK; goto conditional;
            case Op.JMP | Op.JSET | Op.X: d.Op = DecodedOp.JsetX; goto conditional;
            case Op.RET | Op.K: d.Op = DecodedOp.RetK; break;
            case Op.RET | Op.A: d.Op = DecodedOp.RetA; break;
            default:
                throw new InvalidOperationException($"insn {pc}: opcode 0x{insn.Code:x2} passed the checker but has no decoding");
            conditional:
                d.True = (ushort)(pc + 1 + insn.Jt);
                d.False = (ushort)(pc + 1 + insn.Jf);
                break;
        }
        return d;
    }

    /// <summary>reciprocal_value() as it was before 3.14: ceil(2^32 / k) truncated to 32 bits.</summary>
    internal static uint ReciprocalValue(uint k) => (uint)(((1UL << 32) + (k - 1)) / k);

    /// <summary>
    /// Runs the filter; the 32-bit value it returns. A filter that has run often is compiled to IL
    /// first (tiering, like the runtime's own JIT): same answers, several times faster.
    /// </summary>
    public uint Run(in SeccompData data)
    {
        var compiled = _compiled;
        if (compiled is not null)
            return compiled(ref Unsafe.AsRef(in data));
        if (++_runs == CompileThreshold)
            _compiled = SeccompCompiler.Compile(_code);
        return Interpret(data);
    }

    /// <summary>The compiled form, built now if needed (for differential tests and benchmarks).</summary>
    public uint RunCompiled(in SeccompData data)
    {
        _compiled ??= SeccompCompiler.Compile(_code);
        return _compiled(ref Unsafe.AsRef(in data));
    }

    /// <summary>The interpreter alone: the reference semantics.</summary>
    [SkipLocalsInit]
    public uint Interpret(in SeccompData data)
    {
        ReadOnlySpan<uint> words = MemoryMarshal.Cast<SeccompData, uint>(new ReadOnlySpan<SeccompData>(in data));
        Span<uint> mem = stackalloc uint[Op.MemWords];
        ref DecodedInsn code = ref MemoryMarshal.GetArrayDataReference(_code);
        uint a = 0, x = 0;
        int pc = 0;
        while (true)
        {
            ref DecodedInsn i = ref Unsafe.Add(ref code, pc);
            switch (i.Op)
            {
                case DecodedOp.LdImm: a = i.K; break;
                case DecodedOp.LdxImm: x = i.K; break;
                case DecodedOp.LdAbs: a = words[(int)i.K]; break;
                case DecodedOp.LdMem: a = mem[(int)i.K]; break;
                case DecodedOp.LdxMem: x = mem[(int)i.K]; break;
                case DecodedOp.St: mem[(int)i.K] = a; break;
                case DecodedOp.Stx: mem[(int)i.K] = x; break;
                case DecodedOp.AddK: a += i.K; break;
                case DecodedOp.AddX: a += x; break;
                case DecodedOp.SubK: a -= i.K; break;
                case DecodedOp.SubX: a -= x; break;
                case DecodedOp.MulK: a *= i.K; break;
                case DecodedOp.MulX: a *= x; break;
                case DecodedOp.DivK: a /= i.K; break;
                case DecodedOp.DivKReciprocal: a = (uint)(((ulong)a * i.K) >> 32); break;
                case DecodedOp.DivX:
                    if (x == 0) return 0;
                    a /= x;
                    break;
                case DecodedOp.ModK: a %= i.K; break;
                case DecodedOp.ModX:
                    if (x == 0) return 0;
                    a %= x;
                    break;
                case DecodedOp.AndK: a &= i.K; break;
                case DecodedOp.AndX: a &= x; break;
                case DecodedOp.OrK: a |= i.K; break;
                case DecodedOp.OrX: a |= x; break;
                case DecodedOp.XorK: a ^= i.K; break;
                case DecodedOp.XorX: a ^= x; break;
                case DecodedOp.LshK: a <<= (int)i.K; break;
                case DecodedOp.LshX: a <<= (int)(x & 31); break;
                case DecodedOp.RshK: a >>= (int)i.K; break;
                case DecodedOp.RshX: a >>= (int)(x & 31); break;
                case DecodedOp.Neg: a = 0u - a; break;
                case DecodedOp.Tax: x = a; break;
                case DecodedOp.Txa: a = x; break;
                case DecodedOp.Ja: pc = i.True; continue;
                case DecodedOp.JeqK: pc = a == i.K ? i.True : i.False; continue;
                case DecodedOp.JeqX: pc = a == x ? i.True : i.False; continue;
                case DecodedOp.JgtK: pc = a > i.K ? i.True : i.False; continue;
                case DecodedOp.JgtX: pc = a > x ? i.True : i.False; continue;
                case DecodedOp.JgeK: pc = a >= i.K ? i.True : i.False; continue;
                case DecodedOp.JgeX: pc = a >= x ? i.True : i.False; continue;
                case DecodedOp.JsetK: pc = (a & i.K) != 0 ? i.True : i.False; continue;
                case DecodedOp.JsetX: pc = (a & x) != 0 ? i.True : i.False; continue;
                case DecodedOp.RetK: return i.K;
                case DecodedOp.RetA: return a;
            }
            pc++;
        }
    }
}
