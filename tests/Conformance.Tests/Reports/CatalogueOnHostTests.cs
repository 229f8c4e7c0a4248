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
/// writer: no case may fail or error, and the reports must agree with what the runner saw.
/// </summary>
[Category("Host"), NonParallelizable]
public class CatalogueOnHostTests
{
    static string CasesFolder() => Path.GetFullPath(Path.Combine(AgentBinaries.NativeDirectory(), "..", "..", "cases"));

    [Test]
    public async Task Every_case_in_the_catalogue_passes_or_skips_on_the_host_kernel()
    {
        var folder = CasesFolder();
        var cases = CaseLoader.LoadAll(folder, out var loadErrors);
        Assert.That(loadErrors.Select(e => e.Message), Is.Empty, "every case file loads");
        if (cases.Count == 0)
            Assert.Ignore($"{folder} holds no cases yet");

        var dir = ReportSamples.TempDir();
        try
        {
            var collected = new HostRun.CollectingSink();
            var sink = new SinkSet(collected,
                new KtapReport(Path.Combine(dir, "results.ktap")),
                new JunitReport(Path.Combine(dir, "junit.xml"), "host"),
                new ResultsJson(Path.Combine(dir, "results.json")));
            var summary = await new CatalogueRunner(() => new HostMachine(), new RunOptions { Backend = "host" }, sink, NullLogger.Instance)
                .RunAsync(cases, CancellationToken.None);

            var bad = collected.Cases.Where(c => c.Verdict.Status is CaseStatus.Fail or CaseStatus.Error)
                .Select(c => $"{c.Id} ({c.File}): {HostRun.Explain(c.Verdict)}").ToList();
            TestContext.Out.WriteLine($"{summary} on {collected.Machine?.Name}");
            foreach (var skipped in collected.Cases.Where(c => c.Verdict.Status == CaseStatus.Skip))
                TestContext.Out.WriteLine($"skipped {skipped.Id}: {skipped.Verdict.Reason}");
            Assert.That(bad, Is.Empty, $"{bad.Count} of {cases.Count} cases failed or errored on the host kernel");
            Assert.That(collected.Cases.Select(c => c.Id), Is.EquivalentTo(cases.Select(c => c.Id)), "every case got exactly one report");

            var ktap = KtapParser.Parse(File.ReadAllText(Path.Combine(dir, "results.ktap")));
            Assert.That(ktap.Plan, Is.EqualTo(cases.Count));
            Assert.That(ktap.Results, Has.Count.EqualTo(cases.Count));
            Assert.That(ktap.Results.Count(r => r.Directive == "SKIP"), Is.EqualTo(summary.Skip));
            Assert.That(ktap.TrailingDiagnostics, Does.Contain($"Totals: pass:{summary.Pass} fail:0 xfail:0 xpass:0 skip:{summary.Skip} error:0"));

            var suite = XDocument.Load(Path.Combine(dir, "junit.xml")).Root!.Element("testsuite")!;
            Assert.That(suite.Elements("testcase").Count(), Is.EqualTo(cases.Count));
            Assert.That(suite.Attribute("skipped")!.Value, Is.EqualTo(summary.Skip.ToString()));

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
