using System.Buffers.Binary;
using Conformance.Model.Bpf;

namespace Conformance.Model.Text;

/// <summary>
/// Raw struct sock_filter arrays: 8-byte records, little-endian as on both supported machines
/// (u16 code, u8 jt, u8 jf, u32 k).
/// </summary>
public static class BinaryFilter
{
    public const int RecordSize = 8;

    public static Instruction[] Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % RecordSize != 0)
            throw new FilterSyntaxException(
                $"a binary filter is a whole number of 8-byte records, but this one is {bytes.Length} bytes");
        var program = new Instruction[bytes.Length / RecordSize];
        for (int i = 0; i < program.Length; i++)
        {
            var r = bytes.Slice(i * RecordSize, RecordSize);
            program[i] = new Instruction(BinaryPrimitives.ReadUInt16LittleEndian(r), r[2], r[3],
                BinaryPrimitives.ReadUInt32LittleEndian(r[4..]));
        }
        return program;
    }

    public static byte[] Write(IReadOnlyList<Instruction> program)
    {
        var bytes = new byte[program.Count * RecordSize];
        for (int i = 0; i < program.Count; i++)
        {
            var r = bytes.AsSpan(i * RecordSize, RecordSize);
            BinaryPrimitives.WriteUInt16LittleEndian(r, program[i].Code);
            r[2] = program[i].Jt;
            r[3] = program[i].Jf;
            BinaryPrimitives.WriteUInt32LittleEndian(r[4..], program[i].K);
        }
        return bytes;
    }
}
