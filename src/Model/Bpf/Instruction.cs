using System.Runtime.InteropServices;

namespace Conformance.Model.Bpf;

/// <summary>One classic-BPF instruction, laid out exactly as the kernel's struct sock_filter.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1, Size = 8)]
public readonly record struct Instruction(ushort Code, byte Jt, byte Jf, uint K)
{
    public static Instruction Stmt(ushort code, uint k) => new(code, 0, 0, k);
    public static Instruction Jump(ushort code, uint k, byte jt, byte jf) => new(code, jt, jf, k);

    public override string ToString() => $"{{ 0x{Code:x2}, {Jt}, {Jf}, 0x{K:x8} }}";
}
