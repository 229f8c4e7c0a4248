namespace Conformance.Catalogue.Cases;

/// <summary>A case file that cannot be read: names the file, line and column.</summary>
public sealed class CaseFormatException(string file, int line, int column, string reason)
    : Exception($"{file}:{line}:{column}: {reason}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public int Column { get; } = column;
    public string Reason { get; } = reason;
}

/// <summary>Where something was written, for messages.</summary>
public readonly record struct SourcePosition(string File, int Line, int Column)
{
    public CaseFormatException Error(string reason) => new(File, Line, Column, reason);
    public override string ToString() => $"{File}:{Line}:{Column}";
}
