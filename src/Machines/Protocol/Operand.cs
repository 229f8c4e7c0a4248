namespace Conformance.Machines.Protocol;

/// <summary>
/// A value a step computes at run time in the guest (docs/agent-protocol.md §3, Operands):
/// a constant, a register, or an address in the running process.
/// </summary>
public sealed class Operand
{
    public enum OperandKind : byte
    {
        Imm = 0, Reg = 1, Shared = 2, Blob = 3, FProg = 4, BadPtr = 5, Pid = 6, Tid = 7, Ppid = 8,
        Scratch = 9, RegPlus = 10, Null = 11,
    }

    public const int ScratchSize = 64 * 1024;

    public OperandKind Kind { get; }
    readonly long _a;
    readonly uint _b;
    readonly byte _c;

    Operand(OperandKind kind, long a = 0, uint b = 0, byte c = 0) { Kind = kind; _a = a; _b = b; _c = c; }

    public static Operand Imm(long v) => new(OperandKind.Imm, v);
    public static Operand Imm(ulong v) => new(OperandKind.Imm, unchecked((long)v));
    public static Operand Reg(int i) => new(OperandKind.Reg, CheckReg(i, "r"));
    public static Operand Shared(int i) => new(OperandKind.Shared, CheckReg(i, "s"));

    /// <summary>The address of this process's copy of blob <paramref name="blob"/>, plus <paramref name="offset"/>.</summary>
    public static Operand Blob(int blob, uint offset = 0) =>
        blob is >= 0 and <= ushort.MaxValue ? new(OperandKind.Blob, blob, offset)
        : throw new ArgumentOutOfRangeException(nameof(blob));

    /// <summary>
    /// The address of a struct sock_fprog for filter <paramref name="filter"/>. A
    /// <paramref name="length"/> other than the real one is written into the struct; a larger one
    /// makes the kernel read past the instructions into an unmapped page.
    /// </summary>
    public static Operand FProg(int filter, FProgPointer mode = FProgPointer.Real, uint? length = null) =>
        filter is >= 0 and <= ushort.MaxValue ? new(OperandKind.FProg, filter, length ?? 0xffffffffu, (byte)mode)
        : throw new ArgumentOutOfRangeException(nameof(filter));

    public static Operand BadPtr { get; } = new(OperandKind.BadPtr);
    public static Operand Pid { get; } = new(OperandKind.Pid);
    public static Operand Tid { get; } = new(OperandKind.Tid);
    public static Operand Ppid { get; } = new(OperandKind.Ppid);
    public static Operand Null { get; } = new(OperandKind.Null);

    public static Operand Scratch(uint offset = 0) =>
        offset <= ScratchSize ? new(OperandKind.Scratch, 0, offset)
        : throw new ArgumentOutOfRangeException(nameof(offset), offset, "scratch is 64 KiB");

    public static Operand RegPlus(int i, long add) => new(OperandKind.RegPlus, add, (uint)CheckReg(i, "r"));

    public static implicit operator Operand(long v) => Imm(v);
    public static implicit operator Operand(int v) => Imm(v);

    /// <summary>Blob index referenced (for validation against the program), or -1.</summary>
    internal int BlobIndex => Kind == OperandKind.Blob ? (int)_a : -1;
    internal uint BlobOffset => _b;
    internal int FilterIndex => Kind == OperandKind.FProg ? (int)_a : -1;

    static int CheckReg(int i, string bank) => i is >= 0 and < 16 ? i
        : throw new ArgumentOutOfRangeException(nameof(i), i, $"registers are {bank}0..{bank}15");

    internal void Encode(PayloadWriter w)
    {
        w.U8((byte)Kind);
        switch (Kind)
        {
            case OperandKind.Imm: w.I64(_a); break;
            case OperandKind.Reg: case OperandKind.Shared: w.U8((byte)_a); break;
            case OperandKind.Blob: w.U16((ushort)_a).U32(_b); break;
            case OperandKind.FProg: w.U16((ushort)_a).U8(_c).U32(_b); break;
            case OperandKind.Scratch: w.U32(_b); break;
            case OperandKind.RegPlus: w.U8((byte)_b).I64(_a); break;
        }
    }

    public override string ToString() => Kind switch
    {
        OperandKind.Imm => $"{_a}",
        OperandKind.Reg => $"r{_a}",
        OperandKind.Shared => $"s{_a}",
        OperandKind.Blob => $"blob{_a}+{_b}",
        OperandKind.FProg => $"fprog{_a}",
        OperandKind.Scratch => $"scratch+{_b}",
        OperandKind.RegPlus => $"r{_b}+{_a}",
        _ => Kind.ToString(),
    };
}
