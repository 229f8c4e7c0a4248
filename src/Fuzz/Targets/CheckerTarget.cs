using Conformance.Model.Seccomp;

namespace Conformance.Fuzz.Targets;

/// <summary>
/// Raw instruction records through the checker under every profile: an accepted program ends in
/// a reachable RET, and every program, accepted or not, is answered for by the task model.
/// </summary>
public sealed class CheckerTarget : IFuzzTarget
{
    public string Name => "checker";

    public void Run(ReadOnlySpan<byte> input) =>
        ProgramInvariants.CheckedAndAnswered(FuzzInput.Records(input), new SeccompData(0, AuditArch.X86_64));
}
