using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Run;

namespace Conformance.Catalogue.Reports;

/// <summary>
/// One kernel's run on a <see cref="ProgressBoard"/>: cases done out of the total, each failure or
/// error the moment it is judged, and the run's summary when it ends.
/// </summary>
public sealed class ConsoleProgress : IRunSink
{
    readonly ProgressBoard _board;
    int _total, _done, _fail, _error, _xfail, _xpass;

    internal ConsoleProgress(ProgressBoard board, string label)
    {
        _board = board;
        Label = label;
    }

    public string Label { get; }

    /// <summary>The run's summary once it finished; null while it runs or when it never finished.</summary>
    public RunSummary? Summary { get; private set; }

    public bool Finished => Summary is not null;

    public void OnStart(int total) => _total = total;

    public void OnMachine(MachineReport m) =>
        _board.Line($"[{Label}] {m.Name}: profile {m.Profile.Name}, mode 2 {(m.Features.Mode2 ? "supported" : "unsupported")}"
                    + (m.BootTime is { } b ? $", agent ready after {b.TotalSeconds:0.0} s" : ""));

    public void OnCase(CaseReport r)
    {
        int tenthBefore = Tenth(_done);
        _done++;
        switch (r.Verdict.Status)
        {
            case CaseStatus.Fail:
                _fail++;
                _board.Line($"[{Label}] FAIL {r.Id}: {OneLine(r.Verdict.Reason)}");
                break;
            case CaseStatus.Error:
                _error++;
                _board.Line($"[{Label}] ERROR {r.Id}: {OneLine(r.Verdict.Reason)}");
                break;
            case CaseStatus.Xfail:
                // Expected: counted on the status line, not announced.
                _xfail++;
                break;
            case CaseStatus.Xpass:
                _xpass++;
                _board.Line($"[{Label}] XPASS {r.Id}: passed, but {r.Verdict.Known!.Where} lists it as a known failure ({OneLine(r.Verdict.Known.Reason)})");
                break;
        }
        // The last case is announced by OnFinished's line instead.
        _board.Progressed(this, Tenth(_done) > tenthBefore && _done < _total);
    }

    public void OnConsole(string text) { }

    public void OnFinished(RunSummary summary)
    {
        Summary = summary;
        _board.Line($"[{Label}] done: {summary}");
    }

    internal string StatusText() =>
        $"{Label} {_done}/{_total}" + (_fail > 0 ? $" {_fail} failed" : "") + (_error > 0 ? $" {_error} errors" : "")
        + (_xfail > 0 ? $" {_xfail} xfail" : "") + (_xpass > 0 ? $" {_xpass} xpass" : "");

    internal string ProgressLine() =>
        $"[{Label}] {_done}/{_total} cases done"
        + (_fail + _error + _xfail + _xpass > 0
            ? $" ({_fail} failed, {_error} errors" + (_xfail + _xpass > 0 ? $", {_xfail} xfail, {_xpass} xpass" : "") + " so far)"
            : "");

    int Tenth(int done) => _total > 0 ? done * 10 / _total : 0;

    static string OneLine(string text) => string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
