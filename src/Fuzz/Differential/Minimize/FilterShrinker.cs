using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing.Minimize;

/// <summary>
/// Smaller or simpler versions of one filter body, simplest change first: an instruction replaced
/// by `ja 0` (a no-op that keeps every offset), a `ja 0` removed with the jumps over it retargeted,
/// a constant or a jump offset shrunk. A candidate the checker would refuse is never offered when
/// the body was accepted, so every step of a minimization is a program the kernel takes.
/// </summary>
public static class FilterShrinker
{
    static readonly Instruction Nop = Instruction.Stmt(Op.JMP | Op.JA, 0);

    public static IEnumerable<Instruction[]> Candidates(Instruction[] body, Func<Instruction[], bool> valid)
    {
        foreach (var c in Raw(body))
            if (valid(c))
                yield return c;
    }

    static IEnumerable<Instruction[]> Raw(Instruction[] body)
    {
        // Removing whole instructions shrinks fastest; the last RET stays. All no-ops at once first,
        // then runs of instructions made no-ops, halving the run, then one at a time.
        int nops = body.Take(body.Length - 1).Count(i => i == Nop);
        if (nops > 1)
        {
            var all = body;
            for (int i = all.Length - 2; i >= 0; i--)
                if (all[i] == Nop) all = Remove(all, i);
            yield return all;
        }
        for (int run = (body.Length - 1) / 2; run > 1; run /= 2)
            for (int start = 0; start + run <= body.Length - 1; start += run)
                if (body.Skip(start).Take(run).Any(i => i != Nop))
                {
                    var c = (Instruction[])body.Clone();
                    for (int i = start; i < start + run; i++) c[i] = Nop;
                    yield return c;
                }
        for (int i = 0; i < body.Length - 1; i++)
            if (body[i] == Nop)
                yield return Remove(body, i);
        for (int i = 0; i < body.Length - 1; i++)
            if (body[i] != Nop)
                yield return With(body, i, Nop);
        // Jump to the end-most RET early: everything after a RET that nothing jumps past is dead.
        for (int i = 0; i < body.Length - 1; i++)
            if (Op.ClassOf(body[i].Code) == Op.RET && !JumpedOver(body, i))
                yield return body[..(i + 1)];
        for (int i = 0; i < body.Length; i++)
            foreach (var simpler in Simpler(body[i]))
                yield return With(body, i, simpler);
    }

    /// <summary>The instruction with one constant or offset made smaller.</summary>
    static IEnumerable<Instruction> Simpler(Instruction insn)
    {
        ushort cls = Op.ClassOf(insn.Code);
        if (cls == Op.JMP && Op.OpOf(insn.Code) != Op.JA)
        {
            if (insn.Jt > 0) yield return insn with { Jt = 0 };
            if (insn.Jf > 0) yield return insn with { Jf = 0 };
        }
        if (cls == Op.RET && insn.Code == (Op.RET | Op.K))
        {
            // Keep the action, drop its data.
            if ((insn.K & SeccompRet.DataMask) != 0) yield return insn with { K = insn.K & SeccompRet.ActionFull };
            yield break;
        }
        if (cls is Op.ST or Op.STX || insn.Code is (Op.LD | Op.MEM) or (Op.LDX | Op.MEM) or (Op.LD | Op.W | Op.ABS))
            yield break;
        if (insn.K != 0) yield return insn with { K = 0 };
        if (insn.K > 1) yield return insn with { K = insn.K >> 1 };
        if (insn.K > 1 && (insn.K & (insn.K - 1)) != 0) yield return insn with { K = 1u << (31 - System.Numerics.BitOperations.LeadingZeroCount(insn.K)) };
    }

    static Instruction[] With(Instruction[] body, int i, Instruction insn)
    {
        var c = (Instruction[])body.Clone();
        c[i] = insn;
        return c;
    }

    /// <summary>Removes instruction <paramref name="at"/>; jumps from before it to after it get one shorter.</summary>
    public static Instruction[] Remove(Instruction[] body, int at)
    {
        var c = new List<Instruction>(body.Length - 1);
        for (int j = 0; j < body.Length; j++)
        {
            if (j == at) continue;
            var insn = body[j];
            if (j < at && Op.ClassOf(insn.Code) == Op.JMP)
            {
                if (Op.OpOf(insn.Code) == Op.JA)
                {
                    if (j + 1 + insn.K > at) insn = insn with { K = insn.K - 1 };
                }
                else
                {
                    if (j + 1 + insn.Jt > at) insn = insn with { Jt = (byte)(insn.Jt - 1) };
                    if (j + 1 + insn.Jf > at) insn = insn with { Jf = (byte)(insn.Jf - 1) };
                }
            }
            c.Add(insn);
        }
        return [.. c];
    }

    static bool JumpedOver(Instruction[] body, int at)
    {
        for (int j = 0; j < at; j++)
        {
            var insn = body[j];
            if (Op.ClassOf(insn.Code) != Op.JMP) continue;
            long far = Op.OpOf(insn.Code) == Op.JA ? j + 1 + (long)insn.K : j + 1 + Math.Max(insn.Jt, insn.Jf);
            if (far > at) return true;
        }
        return false;
    }
}
