using Conformance.Model.Bpf;

namespace Conformance.Model.Text;

/// <summary>
/// Reads tcpdump -ddd output: the instruction count on the first line, then one
/// <c>code jt jf k</c> record per line, all decimal. Blank lines are ignored; the count must match.
/// </summary>
static class DddReader
{
    public static Instruction[] Read(string text)
    {
        var s = new TextScanner(text);
        s.SkipBlanks();
        var (countLine, countColumn) = (s.Line, s.Column);
        int count = (int)s.Number(cSyntax: false, ushort.MaxValue, "the instruction count");
        EndOfLine(s);
        var program = new List<Instruction>();
        while (true)
        {
            s.SkipBlanks();
            if (s.AtEnd)
                break;
            var code = (ushort)s.Number(cSyntax: false, 0xffff, "the opcode");
            s.SkipBlanks(newlines: false);
            var jt = (byte)s.Number(cSyntax: false, 0xff, "jt");
            s.SkipBlanks(newlines: false);
            var jf = (byte)s.Number(cSyntax: false, 0xff, "jf");
            s.SkipBlanks(newlines: false);
            var k = (uint)s.Number(cSyntax: false, uint.MaxValue, "k");
            program.Add(new Instruction(code, jt, jf, k));
            EndOfLine(s);
        }
        if (program.Count != count)
            throw new FilterSyntaxException(countLine, countColumn,
                $"the count says {count} instructions but {program.Count} follow");
        return [.. program];
    }

    static void EndOfLine(TextScanner s)
    {
        s.SkipBlanks(newlines: false);
        if (!s.AtEnd && !s.TryTake('\n'))
            throw s.Error($"expected the end of the line, found {s.Describe()}");
    }
}
