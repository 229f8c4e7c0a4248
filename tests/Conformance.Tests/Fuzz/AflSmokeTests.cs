using System.Diagnostics;
using Conformance.Fuzz.Targets;

namespace Conformance.Tests.Fuzz;

/// <summary>
/// A short afl-fuzz run of every target (src/Fuzz/run-afl.sh), so CI fuzzes on every run and a
/// crash fails the build. .ci/bootstrap installs afl++; without it the tests are skipped.
/// The targets share one instrumented publish folder, built by the first run.
/// </summary>
[Category("Fuzz"), NonParallelizable]
public class AflSmokeTests
{
    const int Seconds = 14;
    static readonly string SharedBin = Path.Combine(Path.GetTempPath(), $"conformance-fuzz-bin-{Environment.ProcessId}");

    static IEnumerable<string> Targets() => FuzzTargets.All.Select(t => t.Name);

    [OneTimeTearDown]
    public void RemoveSharedBin()
    {
        if (Directory.Exists(SharedBin))
            Directory.Delete(SharedBin, recursive: true);
    }

    [TestCaseSource(nameof(Targets))]
    public void Afl_finds_no_crash(string target)
    {
        if (!OperatingSystem.IsLinux() || !OnPath("afl-fuzz"))
            Assert.Ignore("afl-fuzz is not installed (.ci/bootstrap installs afl++)");

        var root = FuzzPaths.RepoRoot();
        var outDir = Path.Combine(Path.GetTempPath(), $"conformance-fuzz-{target}-{Environment.ProcessId}");
        var start = new ProcessStartInfo(Path.Combine(root, "src", "Fuzz", "run-afl.sh"), [target, Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), outDir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        start.Environment["FUZZ_BIN"] = SharedBin;
        // `dotnet test` has just built the solution, src/Fuzz included: publish that build.
        start.Environment["FUZZ_NO_BUILD"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(Seconds + 240)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"run-afl.sh {target} did not finish");
        }
        TestContext.Out.WriteLine(stdout);
        TestContext.Out.WriteLine(stderr.Result);
        Assert.That(process.ExitCode, Is.Not.EqualTo(2), $"afl-fuzz could not run {target}:\n{stderr.Result}");
        Assert.That(process.ExitCode, Is.EqualTo(0),
            $"afl-fuzz found crashes in {target}, saved in {outDir}; add them to tests/Conformance.Tests/Fuzz/Crashes/{target}/ once fixed:\n{stdout}{stderr.Result}");
    }

    static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));
}
