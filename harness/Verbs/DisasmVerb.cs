using System.CommandLine;
using Conformance.Model.Text;

namespace Conformance.Harness.Verbs;

/// <summary>`conformance disasm FILE`: any filter format in, bpf_asm text that assembles back to the same program out.</summary>
public static class DisasmVerb
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE")
        {
            Description = "bpf_asm text, C array, comma form, tcpdump -ddd or raw binary; - for stdin",
        };
        var arch = new Option<string?>("--arch")
        {
            Description = "ABI whose syscall names to print after ld [nr] (and to read names in bpf_asm input)",
        };
        var cmd = new Command("disasm", "Disassemble a classic-BPF filter into bpf_asm text") { file, arch };
        cmd.SetAction(parse =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            if (!FilterSource.TryParseAbi(parse.GetValue(arch), stderr, out var abi)
                || !FilterSource.TryRead(parse.GetValue(file)!, abi, stderr, out var program))
                return 2;
            parse.InvocationConfiguration.Output.Write(Disassembler.Disassemble(program, abi));
            return 0;
        });
        return cmd;
    }
}
