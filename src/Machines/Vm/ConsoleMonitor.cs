using System.Text;
using Conformance.Machines;

namespace Conformance.Machines.Vm;

/// <summary>
/// Keeps a guest's console text (everything outside agent frames) and scans it as it arrives for
/// kernel crashes. Scanning is by whole lines: a chunk that ends mid-line is held until the rest
/// arrives, so a pattern split across reads is still seen. The first crash line raises
/// <see cref="FaultDetected"/> once; <see cref="Fault"/> reports the worst crash seen so far, with
/// an excerpt of the lines around the first one, taken when it is read (so an oops that is still
/// printing when the fault is raised is complete in a later read).
/// </summary>
public sealed class ConsoleMonitor
{
    const int LinesBefore = 20;
    const int LinesAfter = 80;

    readonly object _gate = new();
    readonly StringBuilder _text = new();
    readonly List<string> _lines = [];
    readonly StringBuilder _partial = new();
    bool _agentReady;
    int _firstHitLine = -1;
    int _worstHitLine = -1;
    FaultKind _worstKind;
    MachineFault? _externalFault;

    /// <summary>Raised once, on the first crash line (from the thread that appended it).</summary>
    public event Action<MachineFault>? FaultDetected;

    /// <summary>Raised for every complete console line, in order (from the thread that appended it).</summary>
    public event Action<string>? LineCompleted;

    /// <summary>All console text so far.</summary>
    public string Text
    {
        get
        {
            lock (_gate)
                return _text.ToString();
        }
    }

    /// <summary>From now on a boot banner means the guest rebooted under the agent.</summary>
    public void MarkAgentReady()
    {
        lock (_gate)
            _agentReady = true;
    }

    public void Append(string chunk)
    {
        MachineFault? raised = null;
        int first, end;
        lock (_gate)
        {
            _text.Append(chunk);
            first = _lines.Count;
            foreach (var c in chunk)
            {
                if (c == '\n')
                {
                    // Every line must complete, even after a fault in the same chunk.
                    var fault = CompleteLine();
                    raised ??= fault;
                }
                else if (c != '\r')
                    _partial.Append(c);
            }
            end = _lines.Count;
        }
        Notify(first, end, raised);
    }

    /// <summary>The guest's output ended: scan a last line that had no newline.</summary>
    public void Complete()
    {
        MachineFault? raised = null;
        int first, end;
        lock (_gate)
        {
            first = _lines.Count;
            if (_partial.Length > 0)
                raised = CompleteLine();
            end = _lines.Count;
        }
        Notify(first, end, raised);
    }

    void Notify(int first, int end, MachineFault? raised)
    {
        if (end > first && LineCompleted is { } handler)
        {
            List<string> completed;
            lock (_gate)
                completed = _lines.GetRange(first, end - first);
            foreach (var line in completed)
                handler(line);
        }
        if (raised is not null)
            FaultDetected?.Invoke(raised);
    }

    /// <summary>
    /// The same machine boots again (a KVM boot that never reached the agent is retried under TCG):
    /// the earlier console stays readable, behind a note, but its faults no longer count.
    /// </summary>
    public void StartOver(string note)
    {
        lock (_gate)
        {
            if (_partial.Length > 0)
                CompleteLine();
            _text.Append('\n').Append(note).Append('\n');
            _agentReady = false;
            _firstHitLine = _worstHitLine = -1;
            _externalFault = null;
        }
    }

    /// <summary>
    /// Records a fault found outside the console (boot timeout, hang, unexpected exit). It counts
    /// only when the console shows nothing worse: a panic explains an exit better than "exited".
    /// </summary>
    public MachineFault Report(FaultKind kind, string summary)
    {
        lock (_gate)
        {
            _externalFault ??= new MachineFault(kind, summary, TailExcerpt());
            return Fault!;
        }
    }

    public MachineFault? Fault
    {
        get
        {
            lock (_gate)
            {
                if (_firstHitLine < 0)
                    return _externalFault;
                var summary = _lines[_firstHitLine].Trim();
                if (_worstHitLine != _firstHitLine)
                    summary += " … " + _lines[_worstHitLine].Trim();
                return new MachineFault(_worstKind, summary, Excerpt());
            }
        }
    }

    MachineFault? CompleteLine()
    {
        var line = _partial.ToString();
        _partial.Clear();
        _lines.Add(line);
        var index = _lines.Count - 1;

        FaultKind? kind = CrashPatterns.Match(line)?.Kind;
        if (kind is null && _agentReady && line.Contains(CrashPatterns.BootBanner, StringComparison.Ordinal))
            kind = FaultKind.UnexpectedReboot;
        if (kind is not { } k)
            return null;

        if (_firstHitLine < 0)
        {
            _firstHitLine = _worstHitLine = index;
            _worstKind = k;
            return Fault;
        }
        if (CrashPatterns.Severity(k) > CrashPatterns.Severity(_worstKind))
        {
            _worstKind = k;
            _worstHitLine = index;
        }
        return null;
    }

    string Excerpt()
    {
        var from = Math.Max(0, _firstHitLine - LinesBefore);
        var to = Math.Min(_lines.Count, Math.Max(_firstHitLine + LinesAfter, _worstHitLine + 10));
        var excerpt = string.Join('\n', _lines.Skip(from).Take(to - from));
        if (to == _lines.Count && _partial.Length > 0)
            excerpt += "\n" + _partial;
        return excerpt;
    }

    string TailExcerpt()
    {
        var from = Math.Max(0, _lines.Count - LinesBefore * 2);
        var excerpt = string.Join('\n', _lines.Skip(from));
        return _partial.Length > 0 ? excerpt + "\n" + _partial : excerpt;
    }
}
