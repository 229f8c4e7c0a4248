namespace Conformance.Model.Bpf;

/// <summary>The classic-BPF opcode fields, named as in include/uapi/linux/filter.h and bpf_common.h.</summary>
public static class Op
{
    // Instruction classes.
    public const ushort LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07;

    // Load sizes.
    public const ushort W = 0x00, H = 0x08, B = 0x10;

    // Load modes.
    public const ushort IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80, MSH = 0xa0;

    // ALU operations.
    public const ushort ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50,
        LSH = 0x60, RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0;

    // Jump operations.
    public const ushort JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;

    // Operand source.
    public const ushort K = 0x00, X = 0x08;

    // RET operand.
    public const ushort A = 0x10;

    // MISC operations.
    public const ushort TAX = 0x00, TXA = 0x80;

    public const int MemWords = 16;
    public const int MaxInstructions = 4096;

    public static ushort ClassOf(ushort code) => (ushort)(code & 0x07);
    public static ushort SizeOf(ushort code) => (ushort)(code & 0x18);
    public static ushort ModeOf(ushort code) => (ushort)(code & 0xe0);
    public static ushort OpOf(ushort code) => (ushort)(code & 0xf0);
    public static ushort SrcOf(ushort code) => (ushort)(code & 0x08);
    public static ushort RvalOf(ushort code) => (ushort)(code & 0x18);
    public static ushort MiscOpOf(ushort code) => (ushort)(code & 0xf8);

    public static bool IsConditionalJump(ushort code) =>
        ClassOf(code) == JMP && OpOf(code) != JA && code < 0x100;
}
