using Conformance.Model.Bpf;

namespace Conformance.Model.Text;

/// <summary>
/// Reads bpf_asm text (tools/bpf/bpf_exp.y) with seccomp extensions into a classic-BPF program.
/// For the plain bpf_asm language the result is byte-identical to bpf_asm's. Extensions:
/// <list type="bullet">
/// <item>actions as immediates: <c>ret #ALLOW</c>, <c>#KILL</c> (= KILL_THREAD), <c>#KILL_PROCESS</c>,
///   <c>#TRAP(0x42)</c>, <c>#ERRNO(5)</c>, <c>#ERRNO(EPERM)</c>, <c>#TRACE(7)</c>, <c>#USER_NOTIF</c>, <c>#LOG</c>;
///   every action takes optional 16-bit data;</item>
/// <item><c>#AUDIT_ARCH_X86_64</c>, <c>_I386</c>, <c>_AARCH64</c>, <c>_ARM</c>;</item>
/// <item>seccomp_data fields in loads: <c>[nr]</c>, <c>[arch]</c>, <c>[ip]</c>, <c>[ip_hi]</c>,
///   <c>[args[2]]</c> = <c>[arg2]</c>, <c>[args_hi[2]]</c> = <c>[arg2_hi]</c>;</item>
/// <item>system call names as immediates, in the ABI of the options or of a preceding
///   <c>.arch ABI</c> directive, or qualified: <c>#x86_64.getpid</c>;</item>
/// <item><c>.insn code, jt, jf, k</c> emits any instruction as is (the disassembler writes it for
///   what bpf_asm cannot express);</item>
/// <item><c>[x+5]</c> without spaces (bpf_asm's lexer rejects it), several labels on one instruction.</item>
/// </list>
/// There is no length limit: programs the kernel would refuse can be written on purpose.
/// </summary>
public static class Assembler
{
    /// <exception cref="FilterSyntaxException">The first error, with its 1-based line and column.</exception>
    public static Instruction[] Assemble(string text, AssembleOptions? options = null) =>
        LabelResolver.Resolve(AsmParser.Parse(text, options ?? AssembleOptions.Default));
}
