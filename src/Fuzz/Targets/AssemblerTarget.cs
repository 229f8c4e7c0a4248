using Conformance.Model.Seccomp;
using Conformance.Model.Text;

namespace Conformance.Fuzz.Targets;

/// <summary>bpf_asm text: assembles or fails with FilterSyntaxException; what assembles round-trips and is answered for.</summary>
public sealed class AssemblerTarget : IFuzzTarget
{
    public string Name => "assembler";

    public void Run(ReadOnlySpan<byte> input)
    {
        var text = FuzzInput.Text(input);
        Model.Bpf.Instruction[] program;
        try
        {
            program = Assembler.Assemble(text);
        }
        catch (FilterSyntaxException)
        {
            return;
        }
        ProgramInvariants.RoundTripsThroughAsm(program);
        ProgramInvariants.CheckedAndAnswered(program, new SeccompData(0, AuditArch.X86_64));
    }
}
