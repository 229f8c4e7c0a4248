using System.Buffers.Binary;
using System.Text;

namespace Conformance.Machines.Protocol;

/// <summary>Little-endian payload builder for the protocol's integers and strings.</summary>
public sealed class PayloadWriter
{
    byte[] _buf = new byte[256];

    public int Length { get; private set; }

    Span<byte> Take(int n)
    {
        if (Length + n > _buf.Length)
            Array.Resize(ref _buf, Math.Max(_buf.Length * 2, Length + n));
        var s = _buf.AsSpan(Length, n);
        Length += n;
        return s;
    }

    public PayloadWriter U8(byte v) { Take(1)[0] = v; return this; }
    public PayloadWriter U16(ushort v) { BinaryPrimitives.WriteUInt16LittleEndian(Take(2), v); return this; }
    public PayloadWriter I16(short v) { BinaryPrimitives.WriteInt16LittleEndian(Take(2), v); return this; }
    public PayloadWriter U32(uint v) { BinaryPrimitives.WriteUInt32LittleEndian(Take(4), v); return this; }
    public PayloadWriter I32(int v) { BinaryPrimitives.WriteInt32LittleEndian(Take(4), v); return this; }
    public PayloadWriter U64(ulong v) { BinaryPrimitives.WriteUInt64LittleEndian(Take(8), v); return this; }
    public PayloadWriter I64(long v) { BinaryPrimitives.WriteInt64LittleEndian(Take(8), v); return this; }
    public PayloadWriter Bytes(ReadOnlySpan<byte> b) { b.CopyTo(Take(b.Length)); return this; }

    public PayloadWriter Str(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        if (bytes.Length > ushort.MaxValue) throw new ArgumentException("string longer than 65535 bytes");
        return U16((ushort)bytes.Length).Bytes(bytes);
    }

    public byte[] ToArray() => _buf.AsSpan(0, Length).ToArray();
}
