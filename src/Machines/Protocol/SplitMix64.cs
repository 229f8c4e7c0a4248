namespace Conformance.Machines.Protocol;

/// <summary>
/// The generator behind FUZZ's seeded inputs (docs/agent-protocol.md §3, FUZZ): splitmix64, and
/// <see cref="Pick"/> as the agent computes it, a 32-bit modulo of the high half.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    ulong _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9e3779b97f4a7c15;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
        z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
        return z ^ (z >> 31);
    }

    /// <summary>(u32)(next() &gt;&gt; 32) % n, for n &gt; 0.</summary>
    public uint Pick(uint n)
    {
        ArgumentOutOfRangeException.ThrowIfZero(n);
        return (uint)(Next() >> 32) % n;
    }
}
