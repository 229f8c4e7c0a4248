namespace Conformance.Model.Seccomp;

/// <summary>
/// What the kernel does with one system call under a filter chain: the action, its data (ERRNO data
/// already capped where the kernel caps it), the winning 32-bit return value, and which filter won
/// (its install index, oldest = 0; -1 when no filter decided, i.e. ALLOW by default or bypass).
/// </summary>
public readonly record struct Verdict(SeccompAction Action, ushort Data, uint Ret, int Filter)
{
    public static readonly Verdict DefaultAllow = new(SeccompAction.Allow, 0, SeccompRet.Allow, -1);

    public override string ToString() => $"{SeccompRet.Name(Action)}({Data}) ret=0x{Ret:x8} filter={Filter}";
}
