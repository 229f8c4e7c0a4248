using System.CommandLine;
using Conformance.Model.Seccomp;

namespace Conformance.Harness.Verbs;

/// <summary>`conformance check FILE`: would Linux accept this filter, and if not, which errno and why.</summary>
public static class CheckVerb
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A filter in any supported format (bpf_asm text, C array, comma form, tcpdump -ddd, raw binary)" };
        var profile = new Option<string>("--profile") { Description = "Kernel profile", DefaultValueFactory = _ => "default" };
        var arch = new Option<string>("--arch") { Description = "ABI for syscall names in bpf_asm text", DefaultValueFactory = _ => "x86_64" };
        var cmd = new Command("check", "Run Linux's install-time checks on a filter: verdict, errno and reason") { file, profile, arch };
        cmd.SetAction(parse =>
        {
            var p = KernelProfiles.ByName(parse.GetValue(profile)!);
            if (p is null)
            {
                Console.Error.WriteLine($"conformance check: unknown profile '{parse.GetValue(profile)}'");
                return 2;
            }
            var path = parse.GetValue(file)!;
            if (!FilterFiles.TryRead(path, parse.GetValue(arch)!, out var program, out var error))
            {
                Console.Error.WriteLine(error);
                return 2;
            }
            var result = FilterChecker.Check(program, p);
            Console.WriteLine(result.Accepted
                ? $"{path.Name}: accepted ({program.Length} instructions, profile {p.Name})"
                : $"{path.Name}: rejected with {Errnos.Name(result.Errno)}: {result.Reason}");
            return result.Accepted ? 0 : 1;
        });
        return cmd;
    }
}
