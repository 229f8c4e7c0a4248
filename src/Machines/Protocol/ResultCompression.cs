using System.Buffers.Binary;
using System.IO.Compression;

namespace Conformance.Machines.Protocol;

/// <summary>
/// The RSLZ payload: the RSLT payload's length (u32), then the payload as raw DEFLATE (RFC 1951).
/// The agent sends it instead of RSLT when it is shorter (docs/agent-protocol.md §1).
/// </summary>
public static class ResultCompression
{
    /// <summary>What the agent's limit on a result allows (its 2 MiB case area); a longer claim is corrupt.</summary>
    public const int MaxLength = 4 << 20;

    /// <summary>The RSLT payload; <see cref="ProtocolDecodeException"/> when the data is not what it claims.</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> rslz)
    {
        if (rslz.Length < 4)
            throw new ProtocolDecodeException("RSLZ shorter than its length word", 0);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(rslz);
        if (length > MaxLength)
            throw new ProtocolDecodeException($"RSLZ claims {length} bytes, more than a result can hold", 0);
        var result = new byte[length];
        try
        {
            using var deflate = new DeflateStream(new MemoryStream(rslz[4..].ToArray()), CompressionMode.Decompress);
            deflate.ReadExactly(result);
            if (deflate.ReadByte() != -1)
                throw new ProtocolDecodeException($"RSLZ inflates to more than its {length} bytes", 4);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new ProtocolDecodeException($"RSLZ does not inflate to its {length} bytes: {e.Message}", 4);
        }
        return result;
    }

    /// <summary>The inverse, for tests and tools (the agent has its own deflater).</summary>
    public static byte[] Compress(ReadOnlySpan<byte> rslt)
    {
        var output = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)rslt.Length);
        output.Write(length);
        using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
            deflate.Write(rslt);
        return output.ToArray();
    }
}
