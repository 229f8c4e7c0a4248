using Conformance.Model.Seccomp;

namespace Conformance.Fuzz.Targets;

/// <summary>
/// A struct seccomp_data (the first 64 bytes) and a program (the rest, as records): the
/// interpreter and its compiled form agree on accepted programs, and the task model answers for
/// every program, including those the checker rejects. Also checks the asm round trip, since
/// afl steers these programs towards ones that run.
/// </summary>
public sealed class InterpreterTarget : IFuzzTarget
{
    public string Name => "interpreter";

    public void Run(ReadOnlySpan<byte> input)
    {
        var data = FuzzInput.Data(input);
        var program = FuzzInput.Records(input.Length > SeccompData.Size ? input[SeccompData.Size..] : []);
        ProgramInvariants.CheckedAndAnswered(program, data);
        ProgramInvariants.RoundTripsThroughAsm(program);
    }
}
