using System.Buffers.Binary;
using System.Text;

namespace Conformance.Machines.Protocol;

/// <summary>Thrown when a payload from the agent does not decode; names the byte offset.</summary>
public sealed class ProtocolDecodeException(string what, int offset)
    : Exception($"{what} at byte {offset}")
{
    public int Offset { get; } = offset;
}

/// <summary>Little-endian reader over a payload; every failure names the byte offset.</summary>
public ref struct PayloadReader(ReadOnlySpan<byte> data, int baseOffset = 0)
{
    readonly ReadOnlySpan<byte> _data = data;
    int _pos;

    /// <summary>Offset from the start of the whole payload (for messages).</summary>
    public readonly int Offset => baseOffset + _pos;
    public readonly int Remaining => _data.Length - _pos;

    ReadOnlySpan<byte> Take(int n, string what)
    {
        if (_data.Length - _pos < n)
            throw new ProtocolDecodeException($"truncated {what} (need {n} bytes, have {_data.Length - _pos})", Offset);
        var s = _data.Slice(_pos, n);
        _pos += n;
        return s;
    }

    public byte U8(string what = "u8") => Take(1, what)[0];
    public ushort U16(string what = "u16") => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));
    public short I16(string what = "i16") => BinaryPrimitives.ReadInt16LittleEndian(Take(2, what));
    public uint U32(string what = "u32") => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));
    public int I32(string what = "i32") => BinaryPrimitives.ReadInt32LittleEndian(Take(4, what));
    public ulong U64(string what = "u64") => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));
    public long I64(string what = "i64") => BinaryPrimitives.ReadInt64LittleEndian(Take(8, what));
    public byte[] Bytes(int n, string what = "bytes") => Take(n, what).ToArray();
    public ReadOnlySpan<byte> Span(int n, string what = "bytes") => Take(n, what);

    public string Str(string what = "string")
    {
        int n = U16(what + " length");
        return Encoding.UTF8.GetString(Take(n, what));
    }

    public void Skip(int n, string what = "padding") => Take(n, what);
}
