using Conformance.Model.Bpf;

namespace Conformance.Model.Text;

/// <summary>
/// Reads bpf_asm's default output, <c>N,code jt jf k,code jt jf k,...</c>, the form xt_bpf
/// (iptables -m bpf --bytecode), tc and bpf_dbg take. Numbers are decimal; N must equal the number
/// of records; a trailing comma and surrounding whitespace are fine.
/// </summary>
static class CommaReader
{
    public static Instruction[] Read(string text) => CountedRecords.Read(text,
        afterCount: s =>
        {
            s.SkipBlanks();
            s.Expect(',', "after the instruction count");
        },
        betweenNumbers: Space,
        afterRecord: s =>
        {
            s.SkipBlanks();
            if (!s.TryTake(',') && !s.AtEnd)
                throw s.Error($"expected ',' after a record, found {s.Describe()}");
        });

    static void Space(TextScanner s)
    {
        if (s.Current is not (' ' or '\t'))
            throw s.Error($"expected a space between a record's numbers, found {s.Describe()}");
        s.SkipBlanks(newlines: false);
    }
}
