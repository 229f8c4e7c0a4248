using Conformance.Model.Bpf;

namespace Conformance.Model.Text;

/// <summary>
/// Reads tcpdump -ddd output: the instruction count on the first line, then one
/// <c>code jt jf k</c> record per line, all decimal. Blank lines are ignored; the count must match.
/// </summary>
static class DddReader
{
    public static Instruction[] Read(string text) =>
        CountedRecords.Read(text, afterCount: EndOfLine, betweenNumbers: s => s.SkipBlanks(newlines: false), afterRecord: EndOfLine);

    static void EndOfLine(TextScanner s)
    {
        s.SkipBlanks(newlines: false);
        if (!s.AtEnd && !s.TryTake('\n'))
            throw s.Error($"expected the end of the line, found {s.Describe()}");
    }
}
