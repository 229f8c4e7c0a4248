using Conformance.Fuzz.Targets;

namespace Conformance.Tests.Fuzz;

/// <summary>
/// Every input afl found crashing (Fuzz/Crashes/TARGET/) and every hand-made seed
/// (src/Fuzz/seeds/TARGET/) goes through the same target code afl runs, in-process and
/// uninstrumented: a fixed crash stays fixed, and the targets themselves work without afl.
/// </summary>
public class FuzzCrashReplayTests
{
    static IEnumerable<TestCaseData> Crashes() => FuzzPaths.InputsUnder(FuzzPaths.Crashes);

    static IEnumerable<TestCaseData> Seeds() => FuzzPaths.InputsUnder(Path.Combine(FuzzPaths.RepoRoot(), "src", "Fuzz", "seeds"));

    [TestCaseSource(nameof(Crashes))]
    public void A_recorded_crash_no_longer_crashes(string target, string file) => Replay(target, file);

    [TestCaseSource(nameof(Seeds))]
    public void A_seed_runs_through_its_target(string target, string file) => Replay(target, file);

    [Test]
    public void Every_target_has_seeds()
    {
        var seeded = Seeds().Select(c => (string)c.Arguments[0]!).ToHashSet();
        Assert.That(FuzzTargets.All.Select(t => t.Name), Is.SubsetOf(seeded));
    }

    static void Replay(string target, string file)
    {
        var t = FuzzTargets.ByName(target);
        Assert.That(t, Is.Not.Null, $"no fuzz target named '{target}' (folder {Path.GetDirectoryName(file)})");
        var bytes = File.ReadAllBytes(file);
        Assert.DoesNotThrow(() => t!.Run(bytes));
    }
}
