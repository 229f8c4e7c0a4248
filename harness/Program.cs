using System.CommandLine;
using Conformance.Harness.Verbs;

namespace Conformance.Harness;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("Conformance: does this kernel's seccomp mode 2 behave exactly as upstream Linux?");
        foreach (var verb in Verbs)
            root.Subcommands.Add(verb);
        // `@FILE` means a feature profile (run --expect-features), not a response file.
        // Ctrl-C and SIGTERM cancel the verb's token; the verb then stops its guests and writes what
        // it has (fuzz.json, results), which may take longer than the default 2 s before exiting.
        return root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null })
            .Invoke(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
    }

    /// <summary>Every verb lives in its own file under Verbs/ and is listed here once.</summary>
    static IEnumerable<Command> Verbs =>
    [
        AsmVerb.Create(),
        CheckVerb.Create(),
        DetectVerb.Create(),
        DiffVerb.Create(),
        DisasmVerb.Create(),
        EvalVerb.Create(),
        FuzzVerb.Create(),
        KernelsVerb.Create(),
        RunVerb.Create(),
        VmVerb.Create(),
    ];
}
