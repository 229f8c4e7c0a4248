using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>
/// The instructions put before every generated body: the fuzz thread's own calls (the next install,
/// rt_sigreturn, exit) are allowed untouched, everything else reaches the body with A = 0 as in a
/// fresh filter. Jumps are relative, so the body runs unchanged after it. Without this a random body
/// could kill the thread's exit or its SIGSYS handler's return, and the agent could not report.
/// </summary>
public static class FilterPrefix
{
    public static Instruction[] For(FuzzArch arch)
    {
        var own = arch.OwnCalls;
        var p = new List<Instruction> { Instruction.Stmt(Op.LD | Op.W | Op.ABS, 0) };
        for (int i = 0; i < own.Count; i++)
            p.Add(Instruction.Jump(Op.JMP | Op.JEQ | Op.K, (uint)own[i], (byte)(own.Count - i), 0));
        p.Add(Instruction.Stmt(Op.JMP | Op.JA, 1));
        p.Add(Instruction.Stmt(Op.RET | Op.K, SeccompRet.Allow));
        p.Add(Instruction.Stmt(Op.LD | Op.IMM, 0));
        return [.. p];
    }

    public static Instruction[] Apply(FuzzArch arch, IReadOnlyList<Instruction> body) => [.. For(arch), .. body];

    /// <summary>The body of a program <see cref="Apply"/> made.</summary>
    public static Instruction[] Strip(FuzzArch arch, IReadOnlyList<Instruction> program) => [.. program.Skip(For(arch).Length)];
}
