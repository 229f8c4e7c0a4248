using System.Text;
using System.Text.RegularExpressions;
using Conformance.Catalogue.Cases;

namespace Conformance.Catalogue.Compile;

/// <summary>
/// `.repeat N INSTRUCTION` in a case's filter: N copies of one instruction, for programs whose
/// length is the point (4096 instructions, a conditional jump over 255 of them). The copies are
/// written on the directive's own line — bpf_asm text treats newlines as blanks — with the first
/// copy at the instruction's column, so assembler errors still point into the case file.
/// </summary>
static partial class FilterRepeat
{
    /// <summary>Enough for programs past every kernel limit (4096 per filter) without runaway text.</summary>
    public const int MaxCount = 8192;

    [GeneratedRegex(@"^(?<lead>\s*(?:[A-Za-z_][A-Za-z0-9_]*\s*:\s*)*)(?<directive>\.repeat\b\s*(?<count>[^\s;]*)\s*)(?<insn>[^;]*)")]
    private static partial Regex RepeatLine();

    public static string Expand(FilterSource source)
    {
        if (!source.Text.Contains(".repeat", StringComparison.Ordinal)) return source.Text;
        var lines = source.Text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var m = RepeatLine().Match(lines[i]);
            if (!m.Success) continue;
            var where = new SourcePosition(source.Pos.File, source.Pos.Line + i, m.Groups["directive"].Index + 1);
            var countText = m.Groups["count"].Value;
            if (!CaseValues.TryParseInteger(countText, out var count) || count is < 1 or > MaxCount)
                throw where.Error($"filter {source.Name}: .repeat needs a count 1..{MaxCount} and one instruction, e.g. '.repeat 4095 ld [nr]' (found '{countText}')");
            var insn = m.Groups["insn"].Value.TrimEnd();
            if (insn.Length == 0)
                throw where.Error($"filter {source.Name}: .repeat {count} names no instruction");
            var line = new StringBuilder(m.Groups["lead"].Value);
            line.Append(' ', m.Groups["directive"].Length).Append(insn);
            for (long n = 1; n < count; n++)
                line.Append(' ').Append(insn);
            lines[i] = line.ToString();
        }
        return string.Join('\n', lines);
    }
}
