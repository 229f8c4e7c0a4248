using Conformance.Machines.Host;

namespace Conformance.Tests.Fuzz;

/// <summary>Where the fuzzing inputs live: the source tree (seeds, run-afl.sh) and the test output (crashes).</summary>
static class FuzzPaths
{
    /// <summary>The checkout, found as the harness finds it (CONFORMANCE_REPO, the working folder, where it was compiled).</summary>
    public static string RepoRoot() => Path.GetFullPath(Path.Combine(AgentBinaries.NativeDirectory(), "..", ".."));

    public static string Crashes => Path.Combine(TestContext.CurrentContext.TestDirectory, "Fuzz", "Crashes");

    /// <summary>Each file under DIR/TARGET/ as (target, file), named for the test list.</summary>
    public static IEnumerable<TestCaseData> InputsUnder(string dir)
    {
        if (!Directory.Exists(dir))
            yield break;
        foreach (var targetDir in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
            foreach (var file in Directory.EnumerateFiles(targetDir).Order(StringComparer.Ordinal))
            {
                var target = Path.GetFileName(targetDir);
                yield return new TestCaseData(target, file).SetName($"{target}/{Path.GetFileName(file)}");
            }
    }
}
