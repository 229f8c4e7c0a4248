namespace Conformance.Model.Text;

/// <summary>The encodings a classic-BPF filter arrives in.</summary>
public enum FilterFormat
{
    /// <summary>Raw 8-byte little-endian struct sock_filter records.</summary>
    Binary,
    /// <summary><c>{ 0x20, 0, 0, 0x00000004 },</c> records (bpf_asm -c, tcpdump -dd), optionally in a declaration.</summary>
    CArray,
    /// <summary><c>N,code jt jf k,...</c> (bpf_asm's default output, xt_bpf, tc).</summary>
    Comma,
    /// <summary>tcpdump -ddd: the count, then one decimal <c>code jt jf k</c> per line.</summary>
    Ddd,
    /// <summary>bpf_asm source with this project's seccomp extensions (<see cref="Assembler"/>).</summary>
    BpfAsm,
}
