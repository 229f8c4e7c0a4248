namespace Conformance.Model.Seccomp;

/// <summary>
/// struct seccomp_data as a filter sees it: nr at 0, arch at 4, instruction_pointer at 8,
/// args[i] at 16 + 8i. Both supported machines are little-endian, so a 32-bit load at
/// offset k reads the low word of a 64-bit field at k and the high word at k + 4.
/// </summary>
public struct SeccompData
{
    public int Nr;
    public uint Arch;
    public ulong InstructionPointer;
    public ulong Arg0, Arg1, Arg2, Arg3, Arg4, Arg5;

    public const int Size = 64;

    public SeccompData(int nr, uint arch, ulong ip = 0, params ulong[] args)
    {
        Nr = nr;
        Arch = arch;
        InstructionPointer = ip;
        Arg0 = args.Length > 0 ? args[0] : 0;
        Arg1 = args.Length > 1 ? args[1] : 0;
        Arg2 = args.Length > 2 ? args[2] : 0;
        Arg3 = args.Length > 3 ? args[3] : 0;
        Arg4 = args.Length > 4 ? args[4] : 0;
        Arg5 = args.Length > 5 ? args[5] : 0;
    }

    public readonly ulong Arg(int i) => i switch
    {
        0 => Arg0, 1 => Arg1, 2 => Arg2, 3 => Arg3, 4 => Arg4, 5 => Arg5,
        _ => throw new ArgumentOutOfRangeException(nameof(i)),
    };

    /// <summary>The native-endian (little-endian) 32-bit word at byte offset k; k must be 0..60 and aligned.</summary>
    public readonly uint Word(uint k) => k switch
    {
        0 => (uint)Nr,
        4 => Arch,
        8 => (uint)InstructionPointer,
        12 => (uint)(InstructionPointer >> 32),
        _ => (k & 4) == 0 ? (uint)Arg((int)(k - 16) / 8) : (uint)(Arg((int)(k - 16) / 8) >> 32),
    };
}
