namespace Conformance.Fuzzing;

/// <summary>The fuzz run cannot go on: no machine can be booted, or the restart budget is spent.</summary>
public sealed class FuzzAbortedException(string message) : Exception(message);
