using System.Buffers.Binary;
using System.IO.Compression;

namespace Conformance.Machines.Protocol;

/// <summary>The RUNZ payload: the RUNB payload's length (u32), then the payload as raw DEFLATE (RFC 1951).</summary>
public static class BatchCompression
{
    public static byte[] Compress(ReadOnlySpan<byte> runb)
    {
        var output = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)runb.Length);
        output.Write(length);
        using (var deflate = new DeflateStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
            deflate.Write(runb);
        return output.ToArray();
    }

    /// <summary>The inverse, for tests and tools (the agent has its own inflater).</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> runz)
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(runz);
        var result = new byte[length];
        using var deflate = new DeflateStream(new MemoryStream(runz[4..].ToArray()), CompressionMode.Decompress);
        deflate.ReadExactly(result);
        return result;
    }
}
