namespace Conformance.Fuzz.Targets;

/// <summary>
/// A property the model promises does not hold for this input. Thrown (never caught) so afl-fuzz
/// records the input as a crash, like any exception the targets do not expect.
/// </summary>
public sealed class FuzzInvariantException(string message) : Exception(message);
