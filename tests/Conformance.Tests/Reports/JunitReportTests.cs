using System.Globalization;
using System.Xml.Linq;
using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Reports;

namespace Conformance.Tests.Reports;

public class JunitReportTests
{
    string _dir = null!;
    string _path = null!;

    [SetUp]
    public void Folder()
    {
        _dir = ReportSamples.TempDir();
        _path = Path.Combine(_dir, "junit.xml");
    }

    [TearDown]
    public void Clean() => Directory.Delete(_dir, recursive: true);

    static int Count(XElement e, string attribute) => int.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);

    XDocument WriteAll()
    {
        var cases = ReportSamples.Mixed();
        var report = new JunitReport(_path, "x86_64-6.1.0-56-cloud-amd64");
        report.OnStart(cases.Count);
        report.OnMachine(ReportSamples.Machine());
        foreach (var c in cases)
            report.OnCase(c);
        report.OnFinished(ReportSamples.Summarize(cases));
        return XDocument.Load(_path);
    }

    [Test]
    public void The_file_parses_after_every_case_and_its_counters_match_the_cases_so_far()
    {
        var cases = ReportSamples.Mixed();
        var report = new JunitReport(_path, "host");
        report.OnStart(cases.Count);
        Assert.That(XDocument.Load(_path).Root!.Name.LocalName, Is.EqualTo("testsuites"));
        report.OnMachine(ReportSamples.Machine());
        for (int i = 0; i < cases.Count; i++)
        {
            report.OnCase(cases[i]);
            var doc = XDocument.Load(_path);
            var so = cases.Take(i + 1).ToList();
            foreach (var e in new[] { doc.Root!, doc.Root!.Element("testsuite")! })
            {
                Assert.That(Count(e, "tests"), Is.EqualTo(i + 1), e.Name.LocalName);
                Assert.That(Count(e, "failures"), Is.EqualTo(so.Count(c => c.Verdict.Status == CaseStatus.Fail)));
                Assert.That(Count(e, "errors"), Is.EqualTo(so.Count(c => c.Verdict.Status == CaseStatus.Error)));
                Assert.That(Count(e, "skipped"), Is.EqualTo(so.Count(c => c.Verdict.Status == CaseStatus.Skip)));
            }
            Assert.That(doc.Descendants("testcase").Count(), Is.EqualTo(i + 1));
        }
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { _path }), "no temporary file is left behind");
    }

    [Test]
    public void The_suite_has_the_surefire_attributes_and_the_kernel_as_properties()
    {
        var suite = WriteAll().Root!.Element("testsuite")!;
        Assert.That(suite.Attribute("name")!.Value, Is.EqualTo("x86_64-6.1.0-56-cloud-amd64 (qemu/x86_64/6.1.0-56-cloud-amd64)"));
        Assert.That(DateTime.TryParseExact(suite.Attribute("timestamp")!.Value, "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _), Is.True);
        Assert.That(suite.Attribute("hostname")!.Value, Is.Not.Empty);
        Assert.That(double.Parse(suite.Attribute("time")!.Value, CultureInfo.InvariantCulture), Is.EqualTo(3.5));
        var properties = suite.Element("properties")!.Elements("property").ToDictionary(p => p.Attribute("name")!.Value, p => p.Attribute("value")!.Value);
        Assert.That(properties["release"], Is.EqualTo("6.1.0-56-cloud-amd64"));
        Assert.That(properties["profile"], Does.StartWith("linux-6.1"));
        Assert.That(properties["mode2"], Is.EqualTo("supported"));
    }

    [Test]
    public void Testcases_are_named_by_group_and_the_rest_of_the_id()
    {
        var names = WriteAll().Descendants("testcase").Select(t => (t.Attribute("classname")!.Value, t.Attribute("name")!.Value)).ToList();
        Assert.That(names, Does.Contain(("actions", "errno/e2big")));
        Assert.That(names, Does.Contain(("a", "b/c")));
        Assert.That(names, Does.Contain(("conformance", "toplevel")), "an id without a group");
        Assert.That(names, Is.Unique, "GitLab keeps only the first of equal names");
    }

    [Test]
    public void Failure_error_and_skip_carry_their_details_in_element_text()
    {
        var cases = WriteAll().Descendants("testcase").ToDictionary(t => t.Attribute("classname")!.Value + "/" + t.Attribute("name")!.Value);

        var failure = cases["actions/errno/read-denied"].Element("failure")!;
        Assert.That(failure.Attribute("message")!.Value, Does.Contain("E2BIG"));
        Assert.That(failure.Value, Does.Contain("expected: errno E2BIG (model: ERRNO(7))").And.Contain("observed: ret -1 (EPERM)"));

        var error = cases["crash/lkdtm.panic"].Element("error")!;
        Assert.That(error.Value, Does.Contain("Kernel panic - not syncing"));
        var console = cases["crash/lkdtm.panic"].Element("system-err")!.Value;
        Assert.That(console, Does.Contain("Kernel panic - not syncing").And.Not.Contain("\u001b"), "console kept, control characters replaced");

        var skipped = cases["flags/wait_killable_recv"].Element("skipped")!;
        Assert.That((skipped.Attribute("message")!.Value, skipped.Value), Is.EqualTo(("needs flag:WAIT_KILLABLE_RECV", "needs flag:WAIT_KILLABLE_RECV")));

        var passed = cases["actions/errno/e2big"];
        Assert.That(passed.Elements(), Is.Empty);
        Assert.That(double.Parse(passed.Attribute("time")!.Value, CultureInfo.InvariantCulture), Is.EqualTo(0.0125).Within(0.001));
    }

    [Test]
    public void The_file_starts_with_the_xml_declaration_not_a_byte_order_mark()
    {
        WriteAll();
        var bytes = File.ReadAllBytes(_path);
        Assert.That(System.Text.Encoding.ASCII.GetString(bytes, 0, 5), Is.EqualTo("<?xml"));
    }
}
