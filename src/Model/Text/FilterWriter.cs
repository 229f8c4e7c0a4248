using System.Text;
using Conformance.Model.Bpf;

namespace Conformance.Model.Text;

/// <summary>Writes a program in the numeric text formats (see <see cref="Disassembler"/> for bpf_asm text).</summary>
public static class FilterWriter
{
    /// <summary>
    /// tcpdump -dd style records, one per line: <c>{ 0x20, 0, 0, 0x00000004 },</c>. Unlike bpf_asm -c,
    /// zero is printed as 0x00 rather than C's "%#x" rendering 0000000000.
    /// </summary>
    public static string ToCArray(IReadOnlyList<Instruction> program, string? declarationName = null)
    {
        var sb = new StringBuilder();
        string indent = declarationName is null ? "" : "\t";
        if (declarationName is not null)
            sb.Append("struct sock_filter ").Append(declarationName).Append("[] = {\n");
        foreach (var i in program)
            sb.Append(indent).Append($"{{ 0x{i.Code:x2}, {i.Jt,2}, {i.Jf,2}, 0x{i.K:x8} }},\n");
        if (declarationName is not null)
            sb.Append("};\n");
        return sb.ToString();
    }

    /// <summary>bpf_asm's default output exactly: <c>N,code jt jf k,...,</c> and a newline.</summary>
    public static string ToComma(IReadOnlyList<Instruction> program)
    {
        var sb = new StringBuilder().Append(program.Count).Append(',');
        foreach (var i in program)
            sb.Append($"{i.Code} {i.Jt} {i.Jf} {i.K},");
        return sb.Append('\n').ToString();
    }

    /// <summary>tcpdump -ddd: the count, then <c>code jt jf k</c> per line.</summary>
    public static string ToDdd(IReadOnlyList<Instruction> program)
    {
        var sb = new StringBuilder().Append(program.Count).Append('\n');
        foreach (var i in program)
            sb.Append($"{i.Code} {i.Jt} {i.Jf} {i.K}\n");
        return sb.ToString();
    }
}
