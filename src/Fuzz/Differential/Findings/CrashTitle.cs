using System.Text.RegularExpressions;

namespace Conformance.Fuzzing.Findings;

/// <summary>A crash summary with addresses, offsets and numbers taken out, so the same crash at another address buckets together.</summary>
public static partial class CrashTitle
{
    public static string Of(string summary)
    {
        var line = summary.Split('\n')[0];
        line = Hex().Replace(line, "ADDR");
        line = Offset().Replace(line, "+OFF");
        return Number().Replace(line, "N").Trim();
    }

    [GeneratedRegex(@"\b(0x)?[0-9a-f]{8,16}\b")]
    private static partial Regex Hex();

    [GeneratedRegex(@"\+0x[0-9a-f]+/0x[0-9a-f]+")]
    private static partial Regex Offset();

    [GeneratedRegex(@"\b\d+\b")]
    private static partial Regex Number();
}
