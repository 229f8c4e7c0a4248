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
    public static byte[] Decompress(ReadOnlySpan<byte> rslz) =>
        LengthPrefixedDeflate.Decompress(rslz, MaxLength, "RSLZ", "a result can hold");

    /// <summary>The inverse, for tests and tools (the agent has its own deflater).</summary>
    public static byte[] Compress(ReadOnlySpan<byte> rslt) => LengthPrefixedDeflate.Compress(rslt, CompressionLevel.Fastest);
}
