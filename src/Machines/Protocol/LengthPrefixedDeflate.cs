using System.Buffers.Binary;
using System.IO.Compression;

namespace Conformance.Machines.Protocol;

/// <summary>
/// The compressed frames' payload (RUNZ, RSLZ): the plain payload's length (u32), then the payload
/// as raw DEFLATE (RFC 1951).
/// </summary>
static class LengthPrefixedDeflate
{
    public static byte[] Compress(ReadOnlySpan<byte> plain, CompressionLevel level)
    {
        var output = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)plain.Length);
        output.Write(length);
        using (var deflate = new DeflateStream(output, level, leaveOpen: true))
            deflate.Write(plain);
        return output.ToArray();
    }

    /// <summary>The plain payload; <see cref="ProtocolDecodeException"/> naming <paramref name="frame"/> when the data is not what it claims.</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed, int maxLength, string frame, string limitName)
    {
        if (compressed.Length < 4)
            throw new ProtocolDecodeException($"{frame} shorter than its length word", 0);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(compressed);
        if (length > maxLength)
            throw new ProtocolDecodeException($"{frame} claims {length} bytes, more than {limitName}", 0);
        var result = new byte[length];
        try
        {
            using var deflate = new DeflateStream(new MemoryStream(compressed[4..].ToArray()), CompressionMode.Decompress);
            deflate.ReadExactly(result);
            if (deflate.ReadByte() != -1)
                throw new ProtocolDecodeException($"{frame} inflates to more than its {length} bytes", 4);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new ProtocolDecodeException($"{frame} does not inflate to its {length} bytes: {e.Message}", 4);
        }
        return result;
    }
}
