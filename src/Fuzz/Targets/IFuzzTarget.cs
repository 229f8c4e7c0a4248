namespace Conformance.Fuzz.Targets;

/// <summary>
/// One fuzz target: runs the code under test on any bytes. It returns normally when the input is
/// handled as documented (including the documented parse errors) and throws otherwise.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The name run-afl.sh and the Fuzz tests select it by (also its seeds folder).</summary>
    string Name { get; }

    void Run(ReadOnlySpan<byte> input);
}
