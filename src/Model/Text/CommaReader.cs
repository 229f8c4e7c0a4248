using Conformance.Model.Bpf;

namespace Conformance.Model.Text;

/// <summary>
/// Reads bpf_asm's default output, <c>N,code jt jf k,code jt jf k,...</c>, the form xt_bpf
/// (iptables -m bpf --bytecode), tc and bpf_dbg take. Numbers are decimal; N must equal the number
/// of records; a trailing comma and surrounding whitespace are fine.
/// </summary>
static class CommaReader
{
    public static Instruction[] Read(string text)
    {
        var s = new TextScanner(text);
        s.SkipBlanks();
        var (countLine, countColumn) = (s.Line, s.Column);
        int count = (int)s.Number(cSyntax: false, ushort.MaxValue, "the instruction count");
        s.SkipBlanks();
        s.Expect(',', "after the instruction count");
        var program = new List<Instruction>();
        while (true)
        {
            s.SkipBlanks();
            if (s.AtEnd)
                break;
            var code = (ushort)s.Number(cSyntax: false, 0xffff, "the opcode");
            Space(s);
            var jt = (byte)s.Number(cSyntax: false, 0xff, "jt");
            Space(s);
            var jf = (byte)s.Number(cSyntax: false, 0xff, "jf");
            Space(s);
            var k = (uint)s.Number(cSyntax: false, uint.MaxValue, "k");
            program.Add(new Instruction(code, jt, jf, k));
            s.SkipBlanks();
            if (!s.TryTake(',') && !s.AtEnd)
                throw s.Error($"expected ',' after a record, found {s.Describe()}");
        }
        if (program.Count != count)
            throw new FilterSyntaxException(countLine, countColumn,
                $"the count says {count} instructions but {program.Count} follow");
        return [.. program];
    }

    static void Space(TextScanner s)
    {
        if (s.Current is not (' ' or '\t'))
            throw s.Error($"expected a space between a record's numbers, found {s.Describe()}");
        s.SkipBlanks(newlines: false);
    }
}
