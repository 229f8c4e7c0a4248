using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Run;

namespace Conformance.Catalogue.Reports;

/// <summary>
/// junit.xml in the Ant/Surefire shape CI systems read (GitLab, Jenkins): one testsuite per kernel,
/// one testcase per case with classname = the id's group and name = the rest of the id. Details go in
/// element text, not only in the message attribute, which several readers ignore. Rewritten whole
/// (temporary file, then rename) after every case, like results.json.
/// </summary>
public sealed class JunitReport : IRunSink
{
    readonly string _suiteName;
    readonly XDocument _document;
    readonly XElement _suites, _suite;
    int _tests, _failures, _errors, _skipped;
    double _seconds;

    public JunitReport(string path, string suiteName)
    {
        Path = path;
        _suiteName = suiteName;
        _suite = new XElement("testsuite", new XAttribute("name", suiteName), Counters(),
            new XAttribute("timestamp", DateTime.Now.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
            new XAttribute("hostname", Environment.MachineName));
        _suites = new XElement("testsuites", new XAttribute("name", "conformance"), Counters(), _suite);
        _document = new XDocument(new XDeclaration("1.0", "UTF-8", null), _suites);
    }

    public string Path { get; }

    public void OnStart(int total) => Save();

    public void OnMachine(MachineReport m)
    {
        _suite.SetAttributeValue("name", $"{_suiteName} ({m.Name})");
        _suite.Element("properties")?.Remove();
        var properties = new XElement("properties");
        void Property(string name, string value) => properties.Add(new XElement("property", new XAttribute("name", name), new XAttribute("value", XmlSafe(value))));
        Property("machine", m.Name);
        Property("backend", m.Backend);
        Property("release", m.Release);
        Property("version", m.Version);
        Property("arch", m.Arch);
        Property("profile", m.Profile.Name);
        Property("mode2", m.Features.Mode2 ? "supported" : "unsupported");
        Property("features", string.Join(" ", m.Features.Present.Order(StringComparer.Ordinal)));
        _suite.AddFirst(properties);
        Save();
    }

    public void OnCase(CaseReport r)
    {
        var (group, name) = Split(r.Id);
        var reason = XmlSafe(r.Verdict.Reason);
        var testcase = new XElement("testcase",
            new XAttribute("classname", group),
            new XAttribute("name", name),
            new XAttribute("file", r.File),
            new XAttribute("time", Seconds(r.Elapsed.TotalSeconds)));
        switch (r.Verdict.Status)
        {
            case CaseStatus.Fail:
                _failures++;
                // A fixes case that fails says which fix the kernel lacks before how it differed.
                var lacks = r.Case?.Fix is { } fix ? XmlSafe($"this kernel lacks: {fix}; ") : "";
                testcase.Add(new XElement("failure", new XAttribute("message", lacks + reason), new XAttribute("type", "mismatch"), FailureText(r)));
                break;
            case CaseStatus.Error:
                _errors++;
                testcase.Add(new XElement("error", new XAttribute("message", reason), new XAttribute("type", "error"),
                    XmlSafe($"{r.Id}: {r.Description}\n{r.Verdict.Reason}")));
                if (r.ConsoleExcerpt is { Length: > 0 } console)
                    testcase.Add(new XElement("system-err", XmlSafe(console)));
                break;
            case CaseStatus.Skip:
                _skipped++;
                testcase.Add(new XElement("skipped", new XAttribute("message", reason), reason));
                break;
            case CaseStatus.Xfail:
                // JUnit has no expected failure; skipped keeps CI green while the text keeps what happened.
                _skipped++;
                var known = XmlSafe($"known failure ({r.Verdict.Known!.Where}): {r.Verdict.Known.Reason}");
                testcase.Add(new XElement("skipped", new XAttribute("message", known),
                    known + "\n" + (r.Verdict.Judged == CaseStatus.Fail ? FailureText(r) : XmlSafe($"error: {r.Verdict.Reason}"))));
                break;
            case CaseStatus.Xpass:
                _failures++;
                var stale = XmlSafe($"passed, but {r.Verdict.Known!.Where} lists it as a known failure: {r.Verdict.Known.Reason}");
                testcase.Add(new XElement("failure", new XAttribute("message", stale), new XAttribute("type", "xpass"), stale));
                break;
        }
        _tests++;
        _suite.Add(testcase);
        _seconds += r.Elapsed.TotalSeconds;
        Save();
    }

    public void OnConsole(string text) { }

    public void OnFinished(RunSummary summary)
    {
        _seconds = summary.Elapsed.TotalSeconds;
        Save();
    }

    /// <summary>"actions/errno/e2big" is group "actions", name "errno/e2big"; an id without a group is its own name.</summary>
    public static (string Group, string Name) Split(string id)
    {
        var slash = id.IndexOf('/');
        return slash > 0 && slash < id.Length - 1 ? (id[..slash], id[(slash + 1)..]) : ("conformance", id);
    }

    static string FailureText(CaseReport r)
    {
        var lines = new List<string> { $"{r.Id}: {r.Description}" };
        var failed = r.Verdict.Checks.Where(c => !c.Passed).ToList();
        if (failed.Count == 0)
            lines.Add(r.Verdict.Reason);
        foreach (var c in failed)
        {
            lines.Add($"{c.Step} at {c.Where}{(c.FromModel ? " (model)" : "")}");
            lines.Add($"  expected: {c.Expected}");
            lines.Add($"  observed: {c.Observed}");
        }
        return XmlSafe(string.Join("\n", lines));
    }

    /// <summary>XML 1.0 cannot hold most control characters (or lone surrogates), which a kernel console may print.</summary>
    static string XmlSafe(string text)
    {
        try
        {
            XmlConvert.VerifyXmlChars(text);
            return text;
        }
        catch (XmlException)
        {
            var sb = new StringBuilder(text.Length);
            for (int i = 0; i < text.Length; i++)
            {
                if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
                    sb.Append(text, i++, 2);
                else
                    sb.Append(XmlConvert.IsXmlChar(text[i]) ? text[i] : '?');
            }
            return sb.ToString();
        }
    }

    static string Seconds(double s) => s.ToString("0.000", CultureInfo.InvariantCulture);

    static XAttribute[] Counters() =>
        [new("tests", 0), new("failures", 0), new("errors", 0), new("skipped", 0), new("time", Seconds(0))];

    void Save()
    {
        foreach (var e in new[] { _suites, _suite })
        {
            e.SetAttributeValue("tests", _tests);
            e.SetAttributeValue("failures", _failures);
            e.SetAttributeValue("errors", _errors);
            e.SetAttributeValue("skipped", _skipped);
            e.SetAttributeValue("time", Seconds(_seconds));
        }
        var tmp = Path + ".tmp";
        // No byte order mark: some JUnit readers choke on one.
        using (var writer = XmlWriter.Create(tmp, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
            _document.Save(writer);
        File.Move(tmp, Path, overwrite: true);
    }
}
