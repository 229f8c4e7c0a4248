namespace Conformance.Machines.Protocol;

/// <summary>
/// A FUZZ stack's digest: FNV-1a 64 over its input records' 96 bytes in order, as the agent
/// computes it for FUZZ_STACK.
/// </summary>
public static class FuzzDigest
{
    public const ulong OffsetBasis = 0xcbf29ce484222325;
    public const ulong Prime = 0x100000001b3;

    public static ulong Of(IEnumerable<FuzzInputRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        ulong h = OffsetBasis;
        Span<byte> buf = stackalloc byte[FuzzInputRecord.Size];
        foreach (var r in records)
        {
            r.Write(buf);
            h = Add(h, buf);
        }
        return h;
    }

    /// <summary>Continues digest <paramref name="h"/> over <paramref name="bytes"/>.</summary>
    public static ulong Add(ulong h, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            h ^= b;
            h *= Prime;
        }
        return h;
    }
}
