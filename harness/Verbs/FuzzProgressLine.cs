using System.Diagnostics;
using Conformance.Fuzzing;

namespace Conformance.Harness.Verbs;

/// <summary>
/// The live line of a fuzz run: rates over the last interval and the totals. On a terminal it is
/// rewritten in place every second; in a log (CI) it is a new line every 30 seconds.
/// </summary>
public sealed class FuzzProgressLine : IDisposable
{
    readonly FuzzStats _stats;
    readonly string _label;
    readonly TextWriter _out;
    readonly bool _interactive;
    readonly Timer _timer;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    long _lastVerdicts, _lastScenarios;
    double _lastSeconds;
    bool _disposed;

    public FuzzProgressLine(FuzzStats stats, string label, TextWriter output, bool interactive)
    {
        (_stats, _label, _out, _interactive) = (stats, label, output, interactive);
        var period = TimeSpan.FromSeconds(interactive ? 1 : 30);
        _timer = new Timer(_ => Tick(), null, period, period);
    }

    void Tick()
    {
        lock (_timer)
        {
            if (_disposed) return;
            double now = _clock.Elapsed.TotalSeconds, dt = Math.Max(now - _lastSeconds, 0.001);
            long v = _stats.Verdicts, s = _stats.Scenarios;
            var line = $"{_label}: {(v - _lastVerdicts) / dt,8:F0} verdicts/s {(s - _lastScenarios) / dt,6:F1} scenarios/s | " +
                       $"{v} verdicts, {s} scenarios, {_stats.Findings} findings, corpus {_stats.CorpusSize}, restarts {_stats.MachineRestarts} | {now:F0} s";
            (_lastVerdicts, _lastScenarios, _lastSeconds) = (v, s, now);
            if (_interactive) _out.Write("\r" + line + "\u001b[K");
            else _out.WriteLine(line);
        }
    }

    public void Dispose()
    {
        lock (_timer)
        {
            if (_disposed) return;
            _disposed = true;
            _timer.Dispose();
            if (_interactive) _out.WriteLine();
        }
    }
}
