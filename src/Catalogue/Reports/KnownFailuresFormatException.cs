namespace Conformance.Catalogue.Reports;

/// <summary>A known-failures file that cannot be used, naming the file and line at fault.</summary>
public sealed class KnownFailuresFormatException(string file, int line, string problem) : Exception($"{file}:{line}: {problem}")
{
    public string FilePath { get; } = file;
    public int Line { get; } = line;
}
