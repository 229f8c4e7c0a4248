using System.CommandLine;
using Conformance.Model.Eval;
using Conformance.Model.Seccomp;

namespace Conformance.Harness.Verbs;

/// <summary>`conformance eval`: the reference model as a JSON Lines filter (the contract is in EvalEngine and the README).</summary>
public static class EvalVerb
{
    public static Command Create()
    {
        var input = new Option<FileInfo?>("--in") { Description = "Read JSON Lines from this file instead of stdin" };
        var profile = new Option<string>("--profile")
        {
            Description = "Kernel profile: " + string.Join(", ", KernelProfiles.All.Select(p => p.Name)) + " (default: " + KernelProfiles.Default.Name + ")",
            DefaultValueFactory = _ => "default",
        };
        var cmd = new Command("eval", "Evaluate system calls against filter stacks with the reference model (JSON Lines in, JSON Lines out)")
        {
            input, profile,
        };
        cmd.SetAction(parse =>
        {
            var p = KernelProfiles.ByName(parse.GetValue(profile)!);
            if (p is null)
            {
                Console.Error.WriteLine($"conformance eval: unknown profile '{parse.GetValue(profile)}'; known: {string.Join(", ", KernelProfiles.All.Select(x => x.Name))}");
                return 2;
            }
            var file = parse.GetValue(input);
            try
            {
                using var inStream = file is null ? Console.OpenStandardInput() : file.OpenRead();
                using var outStream = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
                new EvalEngine(p).Run(inStream, outStream);
                return 0;
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"conformance eval: {file?.FullName ?? "stdin"}: {e.Message}");
                return 2;
            }
        });
        return cmd;
    }
}
