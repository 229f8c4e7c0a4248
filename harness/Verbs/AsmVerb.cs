using System.CommandLine;
using System.Text;
using Conformance.Model.Text;

namespace Conformance.Harness.Verbs;

/// <summary>`conformance asm FILE`: any filter format in, a C array, comma form, tcpdump -ddd or raw binary out.</summary>
public static class AsmVerb
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE")
        {
            Description = "bpf_asm text (with seccomp names), C array, comma form, tcpdump -ddd or raw binary; - for stdin",
        };
        var format = new Option<string>("--format")
        {
            Description = "Output format: c (struct sock_filter records), comma (bpf_asm's N,code jt jf k,...), ddd, binary",
            DefaultValueFactory = _ => "c",
        };
        format.AcceptOnlyFromAmong("c", "comma", "ddd", "binary");
        var arch = new Option<string?>("--arch") { Description = "ABI for unqualified syscall names: x86_64, i386, x32, aarch64, arm" };
        var output = new Option<string?>("--out") { Description = "Write here instead of standard output" };
        var cmd = new Command("asm", "Assemble or convert a classic-BPF filter") { file, format, arch, output };
        cmd.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            if (!FilterSource.TryParseAbi(parse.GetValue(arch), stderr, out var abi)
                || !FilterSource.TryRead(parse.GetValue(file)!, abi, stderr, out var program))
                return 2;

            var fmt = parse.GetValue(format)!;
            byte[] bytes = fmt switch
            {
                "binary" => BinaryFilter.Write(program),
                "comma" => Encoding.UTF8.GetBytes(FilterWriter.ToComma(program)),
                "ddd" => Encoding.UTF8.GetBytes(FilterWriter.ToDdd(program)),
                _ => Encoding.UTF8.GetBytes(FilterWriter.ToCArray(program)),
            };
            var outPath = parse.GetValue(output);
            if (outPath is not null)
            {
                try
                {
                    File.WriteAllBytes(outPath, bytes);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"{outPath}: {e.Message}");
                    return 2;
                }
            }
            else if (fmt == "binary")
            {
                using var raw = Console.OpenStandardOutput();
                raw.Write(bytes);
            }
            else
                stdout.Write(Encoding.UTF8.GetString(bytes));
            return 0;
        });
        return cmd;
    }
}
