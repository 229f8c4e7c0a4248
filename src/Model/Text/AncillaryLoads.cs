namespace Conformance.Model.Text;

/// <summary>
/// bpf_asm's names for the socket-filter ancillary loads (SKF_AD_OFF + SKF_AD_*, include/uapi/linux/filter.h).
/// Seccomp rejects them, but the assembler encodes them exactly as bpf_asm does so that such filters
/// can be written to test the rejection.
/// </summary>
static class AncillaryLoads
{
    public const uint SkfAdOff = unchecked((uint)-0x1000);

    static readonly (string Name, uint Offset)[] Names =
    [
        ("proto", 0), ("type", 4), ("ifidx", 8), ("nla", 12), ("nlan", 16), ("mark", 20), ("queue", 24),
        ("hatype", 28), ("rxhash", 32), ("cpu", 36), ("vlan_tci", 44), ("vlan_avail", 48), ("vlan_pr", 48),
        ("poff", 52), ("rand", 56), ("vlan_tpid", 60),
    ];

    /// <summary>Case-insensitive, as bpf_asm's lexer is.</summary>
    public static bool TryGet(string name, out uint k)
    {
        foreach (var (n, off) in Names)
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) { k = SkfAdOff + off; return true; }
        k = 0;
        return false;
    }

    /// <summary>The first name for an absolute-load offset, or null (SKF_AD_ALU_XOR_X has no bpf_asm name).</summary>
    public static string? NameOf(uint k)
    {
        foreach (var (n, off) in Names)
            if (SkfAdOff + off == k)
                return n;
        return null;
    }
}
