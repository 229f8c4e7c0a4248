using System.Text;
using System.Text.RegularExpressions;
using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Run;

namespace Conformance.Catalogue.Reports;

/// <summary>
/// results.ktap: KTAP version 1 (Documentation/dev-tools/ktap.rst), as kernel CI (LKFT, KernelCI,
/// kunit.py parse) reads it. The version and plan lines come first, each case appends its result
/// line with any diagnostic lines before it, and the run ends with a kselftest-style Totals line;
/// every append is whole lines, so the file is a valid KTAP prefix after every case.
/// </summary>
/// <remarks>
/// pass: <c>ok N name</c>; skip: <c>ok N name # SKIP reason</c>; fail: diagnostics with what each
/// failing step expected and observed, then <c>not ok N name</c>; error: diagnostics (reason, console
/// tail), then <c>not ok N name # ERROR reason</c>; xfail (a listed known failure): the failure's or
/// error's diagnostics and the list's line, then <c>not ok N name # TODO reason</c>, TAP's expected
/// failure; xpass: diagnostics naming the stale line, then a plain <c>not ok N name</c>, because TAP
/// readers take <c>ok N name # TODO</c> (TAP's own unexpected pass) as no failure at all.
/// </remarks>
public sealed partial class KtapReport(string path) : IRunSink
{
    /// <summary>How many console lines an error's diagnostics carry (the whole console is in console.log).</summary>
    const int ConsoleLines = 12;

    readonly KtapNames _names = new();
    int _number, _pass, _fail, _skip, _error, _xfail, _xpass;
    bool _started;

    public string Path { get; } = path;

    public void OnStart(int total)
    {
        File.WriteAllText(Path, $"KTAP version 1\n1..{total}\n");
        _started = true;
    }

    public void OnMachine(MachineReport m)
    {
        EnsureStarted();
        Append(Diagnostic($"machine: {m.Name}, release {m.Release}, profile {m.Profile.Name}, mode 2 {(m.Features.Mode2 ? "supported" : "unsupported")}"));
    }

    public void OnCase(CaseReport r)
    {
        EnsureStarted();
        var name = _names.Unique(r.Id);
        var n = ++_number;
        var block = new StringBuilder();
        switch (r.Verdict.Status)
        {
            case CaseStatus.Pass:
                _pass++;
                block.Append($"ok {n} {name}\n");
                break;
            case CaseStatus.Skip:
                _skip++;
                block.Append($"ok {n} {name} # SKIP {OneLine(r.Verdict.Reason)}\n");
                break;
            case CaseStatus.Fail:
                _fail++;
                FailureDiagnostics(block, r);
                block.Append($"not ok {n} {name}\n");
                break;
            case CaseStatus.Xfail:
                _xfail++;
                if (r.Verdict.Judged == CaseStatus.Fail)
                    FailureDiagnostics(block, r);
                else
                    ErrorDiagnostics(block, r);
                block.Append(Diagnostic($"known failure ({r.Verdict.Known!.Where}): {r.Verdict.Known.Reason}"));
                block.Append($"not ok {n} {name} # TODO {OneLine(r.Verdict.Known.Reason)}\n");
                break;
            case CaseStatus.Xpass:
                _xpass++;
                block.Append(Diagnostic($"{r.Id} ({r.File}): {r.Description}"));
                block.Append(Diagnostic($"xpass: passed, but {r.Verdict.Known!.Where} lists it as a known failure: {r.Verdict.Known.Reason}"));
                block.Append($"not ok {n} {name}\n");
                break;
            default:
                _error++;
                ErrorDiagnostics(block, r);
                block.Append($"not ok {n} {name} # ERROR {OneLine(r.Verdict.Reason)}\n");
                break;
        }
        Append(block.ToString());
    }

    public void OnConsole(string text) { }

    public void OnFinished(RunSummary s)
    {
        EnsureStarted();
        Append($"# Totals: pass:{_pass} fail:{_fail} xfail:{_xfail} xpass:{_xpass} skip:{_skip} error:{_error}\n"
               + Diagnostic($"{s.Total} cases in {s.Elapsed.TotalSeconds:0.0} s"));
    }

    static void FailureDiagnostics(StringBuilder block, CaseReport r)
    {
        block.Append(Diagnostic($"{r.Id} ({r.File}): {r.Description}"));
        if (r.Case?.Fix is { } fix)
            block.Append(Diagnostic($"this kernel lacks: {fix}"));
        var failed = r.Verdict.Checks.Where(c => !c.Passed).ToList();
        if (failed.Count == 0)
            block.Append(Diagnostic(r.Verdict.Reason));
        foreach (var c in failed)
        {
            block.Append(Diagnostic($"{c.Step} at {c.Where}{(c.FromModel ? " (model)" : "")}"));
            block.Append(Diagnostic($"  expected: {c.Expected}"));
            block.Append(Diagnostic($"  observed: {c.Observed}"));
        }
    }

    static void ErrorDiagnostics(StringBuilder block, CaseReport r)
    {
        block.Append(Diagnostic($"{r.Id} ({r.File}): {r.Description}"));
        block.Append(Diagnostic($"error: {r.Verdict.Reason}"));
        foreach (var line in ConsoleTail(r.ConsoleExcerpt))
            block.Append(Diagnostic("console: " + line));
    }

    /// <summary>A sink used without OnStart (an older runner) still writes a version line; the plan is then omitted, which KTAP allows.</summary>
    void EnsureStarted()
    {
        if (_started) return;
        File.WriteAllText(Path, "KTAP version 1\n");
        _started = true;
    }

    void Append(string lines) => File.AppendAllText(Path, lines);

    static string Diagnostic(string text) => string.Concat(text.Split('\n').Select(l => "# " + Neutral(l.TrimEnd('\r')) + "\n"));

    static string OneLine(string text) => Neutral(string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));

    /// <summary>
    /// LKFT finds results with ^.*?ok \d{1,5} anywhere in a line, so text the harness quotes (kernel
    /// messages, observations) must never contain "ok" followed by a space and a digit.
    /// </summary>
    static string Neutral(string text) => ResultLike().Replace(Printable(text), "ok_");

    /// <summary>Console excerpts can carry escape sequences and other control characters; a report line carries none.</summary>
    static string Printable(string text) => text.Any(c => char.IsControl(c) && c != '\t')
        ? new string(text.Select(c => char.IsControl(c) && c != '\t' ? '?' : c).ToArray())
        : text;

    [GeneratedRegex(@"ok (?=\d)")]
    private static partial Regex ResultLike();

    static IEnumerable<string> ConsoleTail(string? excerpt)
    {
        if (string.IsNullOrWhiteSpace(excerpt)) return [];
        var lines = excerpt.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        return lines.Skip(Math.Max(0, lines.Count - ConsoleLines));
    }
}
