using System.Buffers.Binary;
using System.Text;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Fuzz.Targets;

/// <summary>How the targets read afl's bytes: as text, as a seccomp_data, as instruction records.</summary>
public static class FuzzInput
{
    /// <summary>Invalid UTF-8 becomes U+FFFD: the text readers must cope with any string.</summary>
    public static string Text(ReadOnlySpan<byte> input) => Encoding.UTF8.GetString(input);

    /// <summary>struct seccomp_data from up to 64 little-endian bytes (missing bytes are 0).</summary>
    public static SeccompData Data(ReadOnlySpan<byte> bytes)
    {
        Span<byte> raw = stackalloc byte[SeccompData.Size];
        raw.Clear();
        bytes[..Math.Min(bytes.Length, raw.Length)].CopyTo(raw);
        var args = new ulong[6];
        for (int i = 0; i < args.Length; i++)
            args[i] = BinaryPrimitives.ReadUInt64LittleEndian(raw[(16 + 8 * i)..]);
        return new SeccompData(BinaryPrimitives.ReadInt32LittleEndian(raw), BinaryPrimitives.ReadUInt32LittleEndian(raw[4..]),
            BinaryPrimitives.ReadUInt64LittleEndian(raw[8..]), args);
    }

    /// <summary>Whole 8-byte struct sock_filter records; a partial last record is dropped.</summary>
    public static Instruction[] Records(ReadOnlySpan<byte> bytes)
    {
        var program = new Instruction[bytes.Length / 8];
        for (int i = 0; i < program.Length; i++)
        {
            var r = bytes.Slice(i * 8, 8);
            program[i] = new Instruction(BinaryPrimitives.ReadUInt16LittleEndian(r), r[2], r[3], BinaryPrimitives.ReadUInt32LittleEndian(r[4..]));
        }
        return program;
    }
}
