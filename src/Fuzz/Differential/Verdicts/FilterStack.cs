using System.Globalization;
using System.Text;
using Conformance.Model.Bpf;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>
/// One to four generated filter bodies, installed in order on one thread. The programs the kernel
/// gets are the bodies behind <see cref="FilterPrefix"/>. As corpus text: one body per line, each
/// instruction as 16 hex digits (code, jt, jf, k), so any body round-trips, valid or not.
/// </summary>
public sealed record FilterStack(IReadOnlyList<Instruction[]> Bodies)
{
    public const int MaxFilters = 4;

    public Instruction[][] Programs(FuzzArch arch) => [.. Bodies.Select(b => FilterPrefix.Apply(arch, b))];

    public string ToCorpusText()
    {
        var sb = new StringBuilder();
        foreach (var body in Bodies)
            sb.AppendLine(string.Join(' ', body.Select(i => $"{i.Code:x4}{i.Jt:x2}{i.Jf:x2}{i.K:x8}")));
        return sb.ToString();
    }

    /// <summary>Reads corpus text; null when it is not a stack (a foreign or damaged file is skipped, not fatal).</summary>
    public static FilterStack? FromCorpusText(string text)
    {
        var bodies = new List<Instruction[]>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var body = new List<Instruction>();
            foreach (var word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (word.Length != 16 || !ulong.TryParse(word, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v))
                    return null;
                body.Add(new Instruction((ushort)(v >> 48), (byte)(v >> 40), (byte)(v >> 32), (uint)v));
            }
            if (body.Count is 0 or > Op.MaxInstructions - 16)
                return null;
            bodies.Add([.. body]);
        }
        return bodies.Count is > 0 and <= MaxFilters ? new FilterStack(bodies) : null;
    }
}
