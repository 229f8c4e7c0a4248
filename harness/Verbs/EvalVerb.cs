using System.CommandLine;

namespace Conformance.Harness.Verbs;

public static class EvalVerb
{
    public static Command Create()
    {
        var input = new Option<FileInfo?>("--in") { Description = "Read JSON Lines from this file instead of stdin" };
        var profile = new Option<string>("--profile") { Description = "Kernel profile", DefaultValueFactory = _ => "default" };
        var cmd = new Command("eval", "Evaluate seccomp_data against filter stacks with the reference model (JSON Lines in and out)")
        {
            input, profile,
        };
        cmd.SetAction(parse => 0);
        return cmd;
    }
}
