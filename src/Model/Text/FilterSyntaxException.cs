namespace Conformance.Model.Text;

/// <summary>
/// Filter text (or bytes) that cannot be read. Line and Column are 1-based; both are 0 when the
/// problem has no position (a binary filter whose length is not a multiple of 8).
/// </summary>
public sealed class FilterSyntaxException : FormatException
{
    public FilterSyntaxException(int line, int column, string reason)
        : base(line > 0 ? $"{line}:{column}: {reason}" : reason)
    {
        Line = line;
        Column = column;
        Reason = reason;
    }

    public FilterSyntaxException(string reason) : this(0, 0, reason) { }

    public int Line { get; }
    public int Column { get; }

    /// <summary>The message without the position prefix.</summary>
    public string Reason { get; }

    public bool HasPosition => Line > 0;
}
