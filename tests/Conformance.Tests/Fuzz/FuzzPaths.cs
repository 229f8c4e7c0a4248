namespace Conformance.Tests.Fuzz;

/// <summary>Where the fuzzing inputs live: the source tree (seeds, run-afl.sh) and the test output (crashes).</summary>
static class FuzzPaths
{
    /// <summary>The checkout: the first folder above the test output that holds Conformance.sln.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Conformance.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no Conformance.sln above {TestContext.CurrentContext.TestDirectory}");
    }

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
