using Conformance.Model.Bpf;

namespace Conformance.Model.Text;

/// <summary>
/// Reads <c>{ 0x20, 0, 0, 0x00000004 },</c> records: bpf_asm -c, tcpdump -dd, seccomp-tools and
/// hand-written C, either bare or inside <c>struct sock_filter name[] = { ... };</c>. Numbers are C
/// integer literals (bpf_asm -c prints zero as 0000000000, which C reads as octal 0); comments and
/// preprocessor lines are skipped; trailing commas are fine.
/// </summary>
static class CArrayReader
{
    public static Instruction[] Read(string text)
    {
        var s = new TextScanner(text);
        s.SkipBlanks(cComments: true);
        // No records at all is the bare list of an empty program (what FilterWriter.ToCArray writes for it).
        if (s.AtEnd)
            return [];
        bool declared = SkipDeclaration(s);
        var program = new List<Instruction>();
        if (declared || OpensNestedList(s))
        {
            s.Expect('{', "to open the array");
            while (true)
            {
                s.SkipBlanks(cComments: true);
                if (s.TryTake('}'))
                    break;
                program.Add(Record(s));
                s.SkipBlanks(cComments: true);
                if (!s.TryTake(',') && s.Current != '}')
                    throw s.Error($"expected ',' or '}}' after a record, found {s.Describe()}");
            }
            s.SkipBlanks(cComments: true);
            s.TryTake(';');
            s.SkipBlanks(cComments: true);
            if (!s.AtEnd)
                throw s.Error($"unexpected {s.Describe()} after the array");
        }
        else
        {
            while (!s.AtEnd)
            {
                program.Add(Record(s));
                s.SkipBlanks(cComments: true);
                s.TryTake(',');
                s.SkipBlanks(cComments: true);
            }
        }
        return [.. program];
    }

    /// <summary>Skips <c>static const struct sock_filter name[N] =</c> up to the '{'; true if there was one.</summary>
    static bool SkipDeclaration(TextScanner s)
    {
        if (s.Current == '{')
            return false;
        while (!s.AtEnd && s.Current != '{')
        {
            char c = s.Current;
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '[' or ']' or '=' or '*' || char.IsWhiteSpace(c)))
                throw s.Error($"unexpected {s.Describe()} before the array's '{{'");
            s.Advance();
            s.SkipBlanks(cComments: true);
        }
        if (s.AtEnd)
            throw s.Error("expected '{' to open the array");
        return true;
    }

    static bool OpensNestedList(TextScanner s)
    {
        var start = s.Save();
        s.Advance();
        s.SkipBlanks(cComments: true);
        bool nested = s.Current is '{' or '}';
        s.Restore(start);
        return nested;
    }

    static Instruction Record(TextScanner s)
    {
        s.Expect('{', "to open a record");
        s.SkipBlanks(cComments: true);
        var code = (ushort)s.Number(cSyntax: true, 0xffff, "the opcode");
        Comma(s);
        var jt = (byte)s.Number(cSyntax: true, 0xff, "jt");
        Comma(s);
        var jf = (byte)s.Number(cSyntax: true, 0xff, "jf");
        Comma(s);
        var k = (uint)s.Number(cSyntax: true, uint.MaxValue, "k", allowNegative: true);
        s.SkipBlanks(cComments: true);
        s.TryTake(',');
        s.SkipBlanks(cComments: true);
        s.Expect('}', "to close a record of four numbers");
        return new Instruction(code, jt, jf, k);
    }

    static void Comma(TextScanner s)
    {
        s.SkipBlanks(cComments: true);
        s.Expect(',', "between a record's numbers");
        s.SkipBlanks(cComments: true);
    }
}
