using System.CommandLine;
using Conformance.Model.Seccomp;

namespace Conformance.Harness.Verbs;

/// <summary>`conformance check FILE`: would Linux accept this filter, and if not, which errno and why.</summary>
public static class CheckVerb
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "A filter in any supported format (bpf_asm text, C array, comma form, tcpdump -ddd, raw binary); - for stdin" };
        var profile = new Option<string>("--profile") { Description = "Kernel profile", DefaultValueFactory = _ => "default" };
        var arch = new Option<string?>("--arch") { Description = "ABI for syscall names in bpf_asm text (x86_64, i386, x32, aarch64, arm)" };
        var cmd = new Command("check", "Run Linux's install-time checks on a filter: verdict, errno and reason (exit 0 accepted, 1 rejected, 2 unreadable)")
        {
            file, profile, arch,
        };
        cmd.SetAction(parse =>
        {
            var p = KernelProfiles.ByName(parse.GetValue(profile)!);
            if (p is null)
            {
                Console.Error.WriteLine($"conformance check: unknown profile '{parse.GetValue(profile)}'; known: {string.Join(", ", KernelProfiles.All.Select(x => x.Name))}");
                return 2;
            }
            if (!FilterSource.TryParseAbi(parse.GetValue(arch), Console.Error, out var abi))
                return 2;
            var path = parse.GetValue(file)!;
            if (!FilterSource.TryRead(path, abi, Console.Error, out var program))
                return 2;
            var result = FilterChecker.Check(program, p);
            Console.WriteLine(result.Accepted
                ? $"{path}: accepted ({program.Length} instructions, profile {p.Name})"
                : $"{path}: rejected with {Errnos.Name(result.Errno)} ({result.Rule}): {result.Reason}");
            return result.Accepted ? 0 : 1;
        });
        return cmd;
    }
}
