using System.Text.Json;
using Conformance.Fuzzing;
using Conformance.Tests.Executor;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Fuzzing;

/// <summary>
/// The fuzzer's handling of a guest that panics under a batch, with a scripted machine (what a
/// real guest does under a panic is the executor's VM tests' business): the panic is a finding
/// with the console excerpt, the machine is replaced and the run goes on.
/// </summary>
public class FuzzFaultTests
{
    [Test]
    public async Task A_panic_under_a_batch_is_a_crash_finding_and_the_run_goes_on_on_a_fresh_machine()
    {
        var dir = Directory.CreateTempSubdirectory("fuzz-fault-").FullName;
        try
        {
            int booted = 0;
            // Machine 1 panics on its first fuzz batch; machine 2 answers it with no FUZZ records,
            // which a fuzz run cannot use: it stops, aborted, with what it found kept.
            var options = new FuzzOptions { Mode = FuzzMode.Verdicts, Iterations = 3, OutDir = dir, MaxRestarts = 3 };
            var campaign = new FuzzCampaign(() =>
            {
                int serial = Interlocked.Increment(ref booted);
                return new FakeMachine(serial, id => serial == 1 && id == 1 ? FakeBehaviour.Panic : FakeBehaviour.Answer);
            }, options, NullLogger.Instance);
            var summary = await campaign.RunAsync(CancellationToken.None);

            Assert.That(booted, Is.EqualTo(2), "the panicked machine was replaced");
            Assert.That(summary.Findings, Is.EqualTo(1));
            Assert.That(summary.StoppedBecause, Does.StartWith("aborted"));
            var finding = Directory.GetDirectories(Path.Combine(dir, "findings")).Single();
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(finding, "finding.json")));
            Assert.That(json.RootElement.GetProperty("Kind").GetString(), Is.EqualTo("Crash"));
            Assert.That(json.RootElement.GetProperty("ConsoleExcerpt").GetString(), Does.Contain("Kernel panic - not syncing"));
            var yaml = File.ReadAllText(Path.Combine(finding, "case.yaml"));
            Assert.That(yaml, Does.Contain("install: f0"), "the batch's filters are in the case");
            Assert.That(Conformance.Catalogue.Cases.CaseLoader.Parse(yaml, "case.yaml"), Has.Count.EqualTo(1), "and it is a case run --cases takes");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
