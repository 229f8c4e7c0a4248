using Conformance.Model.Bpf;

namespace Conformance.Model.Text;

/// <summary>
/// The shape the comma form and tcpdump -ddd share: a decimal instruction count, then that many
/// <c>code jt jf k</c> records in decimal. The forms differ only in their separators.
/// </summary>
static class CountedRecords
{
    public static Instruction[] Read(string text, Action<TextScanner> afterCount, Action<TextScanner> betweenNumbers, Action<TextScanner> afterRecord)
    {
        var s = new TextScanner(text);
        s.SkipBlanks();
        var (countLine, countColumn) = (s.Line, s.Column);
        int count = (int)s.Number(cSyntax: false, ushort.MaxValue, "the instruction count");
        afterCount(s);
        var program = new List<Instruction>();
        while (true)
        {
            s.SkipBlanks();
            if (s.AtEnd)
                break;
            var code = (ushort)s.Number(cSyntax: false, 0xffff, "the opcode");
            betweenNumbers(s);
            var jt = (byte)s.Number(cSyntax: false, 0xff, "jt");
            betweenNumbers(s);
            var jf = (byte)s.Number(cSyntax: false, 0xff, "jf");
            betweenNumbers(s);
            var k = (uint)s.Number(cSyntax: false, uint.MaxValue, "k");
            program.Add(new Instruction(code, jt, jf, k));
            afterRecord(s);
        }
        if (program.Count != count)
            throw new FilterSyntaxException(countLine, countColumn,
                $"the count says {count} instructions but {program.Count} follow");
        return [.. program];
    }
}
