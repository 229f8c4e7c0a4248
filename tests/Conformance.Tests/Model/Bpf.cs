using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Tests.Model;

/// <summary>Instruction shorthands for tests, spelled like the kernel's BPF_STMT/BPF_JUMP macros.</summary>
static class Bpf
{
    public static Instruction Stmt(int code, uint k) => new((ushort)code, 0, 0, k);
    public static Instruction Jump(int code, uint k, int jt, int jf) => new((ushort)code, (byte)jt, (byte)jf, k);

    public static Instruction LdAbs(uint k) => Stmt(Op.LD | Op.W | Op.ABS, k);
    public static Instruction LdImm(uint k) => Stmt(Op.LD | Op.IMM, k);
    public static Instruction LdxImm(uint k) => Stmt(Op.LDX | Op.IMM, k);
    public static Instruction Ret(uint k) => Stmt(Op.RET | Op.K, k);
    public static Instruction RetA => Stmt(Op.RET | Op.A, 0);
    public static Instruction St(uint k) => Stmt(Op.ST, k);
    public static Instruction LdMem(uint k) => Stmt(Op.LD | Op.MEM, k);
    public static Instruction AluK(int op, uint k) => Stmt(Op.ALU | op | Op.K, k);
    public static Instruction AluX(int op) => Stmt(Op.ALU | op | Op.X, 0);
    public static Instruction Ja(uint k) => Stmt(Op.JMP | Op.JA, k);

    public const uint Allow = SeccompRet.Allow;
    public static uint Errno(int e) => SeccompRet.Errno | (uint)e;

    /// <summary>Runs a single accepted program over seccomp data and returns what it returns.</summary>
    public static uint Run(Instruction[] program, SeccompData data, KernelProfile? profile = null)
    {
        profile ??= KernelProfiles.Default;
        var check = FilterChecker.Check(program, profile);
        Assert.That(check.Accepted, Is.True, $"the program should be accepted: {check}");
        return SeccompInterpreter.Load(program, profile).Run(data);
    }

    /// <summary>Runs "A = a; X = x; op; ret a" and returns A.</summary>
    public static uint Alu(int op, uint a, uint x, KernelProfile? profile = null) =>
        Run([LdImm(a), LdxImm(x), AluX(op), RetA], default, profile);

    public static uint AluConst(int op, uint a, uint k, KernelProfile? profile = null) =>
        Run([LdImm(a), AluK(op, k), RetA], default, profile);

    public static Instruction[] Repeat(Instruction insn, int count, Instruction last)
    {
        var p = new Instruction[count];
        Array.Fill(p, insn);
        p[^1] = last;
        return p;
    }
}
