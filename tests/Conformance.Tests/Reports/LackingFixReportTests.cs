using System.Text.Json.Nodes;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Reports;
using Conformance.Catalogue.Run;

namespace Conformance.Tests.Reports;

/// <summary>A failed case that names its kernel fix makes every report say "this kernel lacks" that fix.</summary>
public class LackingFixReportTests
{
    static readonly KernelFix Fix = new("entry: Fix seccomp bypass after ptrace with TSYNC", "6.19", "CVE-2026-89603", "6.1.190-1");

    static CaseReport WithFix(CaseReport r) => r with
    {
        Case = new CaseDefinition(r.Id, r.Description, new SourcePosition("cases/fixes/x.yaml", 1, 1), [], [], new Dictionary<string, FilterSource>(), [])
        { Fix = Fix },
    };

    [Test]
    public void Ktap_json_and_junit_name_the_fix_a_failing_case_checks()
    {
        var dir = ReportSamples.TempDir();
        try
        {
            var failing = WithFix(ReportSamples.Fail("fixes/tsync"));
            var passing = WithFix(ReportSamples.Pass("fixes/other"));
            var ktap = new KtapReport(Path.Combine(dir, "results.ktap"));
            var json = new ResultsJson(Path.Combine(dir, "results.json"));
            var junit = new JunitReport(Path.Combine(dir, "junit.xml"), "conformance");
            foreach (var sink in new IRunSink[] { ktap, json, junit })
            {
                sink.OnStart(2);
                sink.OnMachine(ReportSamples.Machine());
                sink.OnCase(failing);
                sink.OnCase(passing);
                sink.OnFinished(ReportSamples.Summarize([failing, passing]));
            }

            var named = "this kernel lacks: entry: Fix seccomp bypass after ptrace with TSYNC (CVE-2026-89603, upstream 6.19, Debian 6.1.190-1)";
            Assert.That(File.ReadAllText(Path.Combine(dir, "results.ktap")), Does.Contain("# " + named));
            Assert.That(File.ReadAllText(Path.Combine(dir, "junit.xml")), Does.Contain(named));
            var cases = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "results.json")))!["cases"]!.AsArray();
            Assert.That((bool)cases[0]!["fix"]!["lacking"]!, Is.True);
            Assert.That((string?)cases[0]!["fix"]!["cve"], Is.EqualTo("CVE-2026-89603"));
            Assert.That((bool)cases[1]!["fix"]!["lacking"]!, Is.False, "a passing fixes case says the kernel has the fix");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
