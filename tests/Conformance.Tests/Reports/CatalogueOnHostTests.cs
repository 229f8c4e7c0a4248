using System.Xml.Linq;
using Conformance.Machines.Host;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Reports;
using Conformance.Catalogue.Run;
using Conformance.Tests.Catalogue;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Reports;

/// <summary>
/// The repository's whole cases/ catalogue on the host kernel, through the runner and every report
/// writer: no case may fail or error unless tests/known/host.known lists it with its reason (then it
/// is xfail), no listed case may pass (xpass: the list is stale), and the reports must agree with
/// what the runner saw.
/// </summary>
[Category("Host"), NonParallelizable]
public class CatalogueOnHostTests
{
    internal static string CasesFolder() => Path.GetFullPath(Path.Combine(AgentBinaries.NativeDirectory(), "..", "..", "cases"));

    /// <summary>The host kernel's known failures: where a failure is recorded, instead of weakening this test.</summary>
    internal static string HostKnownFile() => Path.GetFullPath(Path.Combine(AgentBinaries.NativeDirectory(), "..", "..", "tests", "known", "host.known"));

    [Test]
    public async Task Every_case_in_the_catalogue_passes_skips_or_is_a_listed_known_failure_on_the_host_kernel()
    {
        var folder = CasesFolder();
        var cases = CaseLoader.LoadAll(folder, out var loadErrors);
        Assert.That(loadErrors.Select(e => e.Message), Is.Empty, "every case file loads");
        if (cases.Count == 0)
            Assert.Ignore($"{folder} holds no cases yet");
        var known = KnownFailures.Load(HostKnownFile(), cases.Select(c => c.Id).ToHashSet(StringComparer.Ordinal));

        var dir = ReportSamples.TempDir();
        try
        {
            var collected = new HostRun.CollectingSink();
            var sink = new KnownFailureSink(new SinkSet(collected,
                new KtapReport(Path.Combine(dir, "results.ktap")),
                new JunitReport(Path.Combine(dir, "junit.xml"), "host"),
                new ResultsJson(Path.Combine(dir, "results.json"))), known);
            await new CatalogueRunner(() => new HostMachine(), new RunOptions { Backend = "host" }, sink, NullLogger.Instance)
                .RunAsync(cases, CancellationToken.None);
            var summary = sink.Summary!;

            var bad = collected.Cases.Where(c => c.Verdict.Status is CaseStatus.Fail or CaseStatus.Error)
                .Select(c => $"{c.Id} ({c.File}): {HostRun.Explain(c.Verdict)}").ToList();
            var stale = collected.Cases.Where(c => c.Verdict.Status == CaseStatus.Xpass)
                .Select(c => $"{c.Id} passes: remove {c.Verdict.Known!.Where}").ToList();
            TestContext.Out.WriteLine($"{summary} on {collected.Machine?.Name}");
            foreach (var skipped in collected.Cases.Where(c => c.Verdict.Status == CaseStatus.Skip))
                TestContext.Out.WriteLine($"skipped {skipped.Id}: {skipped.Verdict.Reason}");
            foreach (var expected in collected.Cases.Where(c => c.Verdict.Status == CaseStatus.Xfail))
                TestContext.Out.WriteLine($"known failure {expected.Id} ({expected.Verdict.Known!.Where}: {expected.Verdict.Known.Reason}): {HostRun.Explain(expected.Verdict)}");
            Assert.That(bad, Is.Empty, $"{bad.Count} of {cases.Count} cases failed or errored on the host kernel (record a known one in tests/known/host.known)");
            Assert.That(stale, Is.Empty, "cases tests/known/host.known lists as failing pass");
            Assert.That(collected.Cases.Select(c => c.Id), Is.EquivalentTo(cases.Select(c => c.Id)), "every case got exactly one report");

            var ktap = KtapParser.Parse(File.ReadAllText(Path.Combine(dir, "results.ktap")));
            Assert.That(ktap.Plan, Is.EqualTo(cases.Count));
            Assert.That(ktap.Results, Has.Count.EqualTo(cases.Count));
            Assert.That(ktap.Results.Count(r => r.Directive == "SKIP"), Is.EqualTo(summary.Skip));
            Assert.That(ktap.Results.Count(r => r.Directive == "TODO"), Is.EqualTo(summary.Xfail));
            Assert.That(ktap.TrailingDiagnostics, Does.Contain($"Totals: pass:{summary.Pass} fail:0 xfail:{summary.Xfail} xpass:0 skip:{summary.Skip} error:0"));

            var suite = XDocument.Load(Path.Combine(dir, "junit.xml")).Root!.Element("testsuite")!;
            Assert.That(suite.Elements("testcase").Count(), Is.EqualTo(cases.Count));
            Assert.That(suite.Attribute("skipped")!.Value, Is.EqualTo((summary.Skip + summary.Xfail).ToString()), "JUnit reports an xfail as skipped");

            var results = ResultsFile.Read(Path.Combine(dir, "results.json"));
            Assert.That(results.Complete, Is.True);
            Assert.That(results.Cases.Select(c => c.Id), Is.EqualTo(collected.Cases.Select(c => c.Id)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
