using System.IO.Compression;

namespace Conformance.Machines.Protocol;

/// <summary>The RUNZ payload: the RUNB payload's length (u32), then the payload as raw DEFLATE (RFC 1951).</summary>
public static class BatchCompression
{
    /// <summary>What the agent takes of one batch (BATCH_MAX in src/Native).</summary>
    public const int MaxLength = 4 << 20;

    public static byte[] Compress(ReadOnlySpan<byte> runb) => LengthPrefixedDeflate.Compress(runb, CompressionLevel.SmallestSize);

    /// <summary>The inverse, for tests and tools (the agent has its own inflater).</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> runz) =>
        LengthPrefixedDeflate.Decompress(runz, MaxLength, "RUNZ", "a batch can hold");
}
