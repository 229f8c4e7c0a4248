using System.Reflection.Emit;
using Conformance.Model.Seccomp;

namespace Conformance.Model.Bpf;

/// <summary>The signature of a compiled filter: seccomp_data in, the filter's 32-bit return value out.</summary>
public delegate uint CompiledFilter(ref SeccompData data);

/// <summary>
/// Compiles a decoded filter to IL, one label per instruction, so RyuJIT turns the chain of tests
/// into native branches. It implements exactly the interpreter's semantics and is tested against
/// it on random programs; <see cref="SeccompInterpreter"/> switches to it for hot filters.
/// </summary>
internal static class SeccompCompiler
{
    public static CompiledFilter Compile(DecodedInsn[] code)
    {
        var method = new DynamicMethod("seccomp_filter", typeof(uint), [typeof(SeccompData).MakeByRefType()],
            typeof(SeccompCompiler).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        var a = il.DeclareLocal(typeof(uint)); // locals start at zero: A = X = 0
        var x = il.DeclareLocal(typeof(uint));
        var mem = new LocalBuilder?[Op.MemWords];
        LocalBuilder M(uint k) => mem[k] ??= il.DeclareLocal(typeof(uint));

        var labels = new Label[code.Length];
        for (int pc = 0; pc < code.Length; pc++)
            labels[pc] = il.DefineLabel();

        for (int pc = 0; pc < code.Length; pc++)
        {
            il.MarkLabel(labels[pc]);
            var i = code[pc];
            int k = unchecked((int)i.K);
            switch (i.Op)
            {
                case DecodedOp.LdImm: Const(il, k); il.Emit(OpCodes.Stloc, a); break;
                case DecodedOp.LdxImm: Const(il, k); il.Emit(OpCodes.Stloc, x); break;
                case DecodedOp.LdAbs:
                    il.Emit(OpCodes.Ldarg_0);
                    Const(il, k * 4);
                    il.Emit(OpCodes.Add);
                    il.Emit(OpCodes.Ldind_U4);
                    il.Emit(OpCodes.Stloc, a);
                    break;
                case DecodedOp.LdMem: il.Emit(OpCodes.Ldloc, M(i.K)); il.Emit(OpCodes.Stloc, a); break;
                case DecodedOp.LdxMem: il.Emit(OpCodes.Ldloc, M(i.K)); il.Emit(OpCodes.Stloc, x); break;
                case DecodedOp.St: il.Emit(OpCodes.Ldloc, a); il.Emit(OpCodes.Stloc, M(i.K)); break;
                case DecodedOp.Stx: il.Emit(OpCodes.Ldloc, x); il.Emit(OpCodes.Stloc, M(i.K)); break;
                case DecodedOp.AddK: AluK(il, a, k, OpCodes.Add); break;
                case DecodedOp.AddX: AluX(il, a, x, OpCodes.Add); break;
                case DecodedOp.SubK: AluK(il, a, k, OpCodes.Sub); break;
                case DecodedOp.SubX: AluX(il, a, x, OpCodes.Sub); break;
                case DecodedOp.MulK: AluK(il, a, k, OpCodes.Mul); break;
                case DecodedOp.MulX: AluX(il, a, x, OpCodes.Mul); break;
                case DecodedOp.DivK: AluK(il, a, k, OpCodes.Div_Un); break;
                case DecodedOp.ModK: AluK(il, a, k, OpCodes.Rem_Un); break;
                case DecodedOp.DivX: ReturnZeroIfXIsZero(il, x); AluX(il, a, x, OpCodes.Div_Un); break;
                case DecodedOp.ModX: ReturnZeroIfXIsZero(il, x); AluX(il, a, x, OpCodes.Rem_Un); break;
                case DecodedOp.DivKReciprocal:
                    il.Emit(OpCodes.Ldloc, a);
                    il.Emit(OpCodes.Conv_U8);
                    il.Emit(OpCodes.Ldc_I8, (long)i.K);
                    il.Emit(OpCodes.Mul);
                    Const(il, 32);
                    il.Emit(OpCodes.Shr_Un);
                    il.Emit(OpCodes.Conv_U4);
                    il.Emit(OpCodes.Stloc, a);
                    break;
                case DecodedOp.AndK: AluK(il, a, k, OpCodes.And); break;
                case DecodedOp.AndX: AluX(il, a, x, OpCodes.And); break;
                case DecodedOp.OrK: AluK(il, a, k, OpCodes.Or); break;
                case DecodedOp.OrX: AluX(il, a, x, OpCodes.Or); break;
                case DecodedOp.XorK: AluK(il, a, k, OpCodes.Xor); break;
                case DecodedOp.XorX: AluX(il, a, x, OpCodes.Xor); break;
                // IL leaves shifts by 32 or more unspecified; the interpreter masks, so mask here too.
                case DecodedOp.LshK: AluK(il, a, k & 31, OpCodes.Shl); break;
                case DecodedOp.RshK: AluK(il, a, k & 31, OpCodes.Shr_Un); break;
                case DecodedOp.LshX: ShiftX(il, a, x, OpCodes.Shl); break;
                case DecodedOp.RshX: ShiftX(il, a, x, OpCodes.Shr_Un); break;
                case DecodedOp.Neg: il.Emit(OpCodes.Ldloc, a); il.Emit(OpCodes.Neg); il.Emit(OpCodes.Stloc, a); break;
                case DecodedOp.Tax: il.Emit(OpCodes.Ldloc, a); il.Emit(OpCodes.Stloc, x); break;
                case DecodedOp.Txa: il.Emit(OpCodes.Ldloc, x); il.Emit(OpCodes.Stloc, a); break;
                case DecodedOp.Ja: il.Emit(OpCodes.Br, labels[i.True]); break;
                case DecodedOp.JeqK: CompareK(il, a, k); Branch(il, OpCodes.Beq, labels, i, pc); break;
                case DecodedOp.JeqX: CompareX(il, a, x); Branch(il, OpCodes.Beq, labels, i, pc); break;
                case DecodedOp.JgtK: CompareK(il, a, k); Branch(il, OpCodes.Bgt_Un, labels, i, pc); break;
                case DecodedOp.JgtX: CompareX(il, a, x); Branch(il, OpCodes.Bgt_Un, labels, i, pc); break;
                case DecodedOp.JgeK: CompareK(il, a, k); Branch(il, OpCodes.Bge_Un, labels, i, pc); break;
                case DecodedOp.JgeX: CompareX(il, a, x); Branch(il, OpCodes.Bge_Un, labels, i, pc); break;
                case DecodedOp.JsetK: CompareK(il, a, k); il.Emit(OpCodes.And); Branch(il, OpCodes.Brtrue, labels, i, pc); break;
                case DecodedOp.JsetX: CompareX(il, a, x); il.Emit(OpCodes.And); Branch(il, OpCodes.Brtrue, labels, i, pc); break;
                case DecodedOp.RetK: Const(il, k); il.Emit(OpCodes.Ret); break;
                case DecodedOp.RetA: il.Emit(OpCodes.Ldloc, a); il.Emit(OpCodes.Ret); break;
                default: throw new InvalidOperationException($"insn {pc}: no IL for {i.Op}");
            }
        }
        return method.CreateDelegate<CompiledFilter>();
    }

    static void Const(ILGenerator il, int k) => il.Emit(OpCodes.Ldc_I4, k);

    static void AluK(ILGenerator il, LocalBuilder a, int k, OpCode op)
    {
        il.Emit(OpCodes.Ldloc, a);
        Const(il, k);
        il.Emit(op);
        il.Emit(OpCodes.Stloc, a);
    }

    static void AluX(ILGenerator il, LocalBuilder a, LocalBuilder x, OpCode op)
    {
        il.Emit(OpCodes.Ldloc, a);
        il.Emit(OpCodes.Ldloc, x);
        il.Emit(op);
        il.Emit(OpCodes.Stloc, a);
    }

    static void ShiftX(ILGenerator il, LocalBuilder a, LocalBuilder x, OpCode op)
    {
        il.Emit(OpCodes.Ldloc, a);
        il.Emit(OpCodes.Ldloc, x);
        Const(il, 31);
        il.Emit(OpCodes.And);
        il.Emit(op);
        il.Emit(OpCodes.Stloc, a);
    }

    static void ReturnZeroIfXIsZero(ILGenerator il, LocalBuilder x)
    {
        var nonZero = il.DefineLabel();
        il.Emit(OpCodes.Ldloc, x);
        il.Emit(OpCodes.Brtrue, nonZero);
        Const(il, 0);
        il.Emit(OpCodes.Ret);
        il.MarkLabel(nonZero);
    }

    static void CompareK(ILGenerator il, LocalBuilder a, int k)
    {
        il.Emit(OpCodes.Ldloc, a);
        Const(il, k);
    }

    static void CompareX(ILGenerator il, LocalBuilder a, LocalBuilder x)
    {
        il.Emit(OpCodes.Ldloc, a);
        il.Emit(OpCodes.Ldloc, x);
    }

    /// <summary>Branch to the true target; fall through or branch to the false one.</summary>
    static void Branch(ILGenerator il, OpCode taken, Label[] labels, DecodedInsn i, int pc)
    {
        il.Emit(taken, labels[i.True]);
        if (i.False != pc + 1)
            il.Emit(OpCodes.Br, labels[i.False]);
    }
}
