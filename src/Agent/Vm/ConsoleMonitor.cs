using System.Text;
using Conformance.Agent.Machines;

namespace Conformance.Agent.Vm;

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

    readonly object gate = new();
    readonly StringBuilder text = new();
    readonly List<string> lines = [];
    readonly StringBuilder partial = new();
    bool agentReady;
    int firstHitLine = -1;
    int worstHitLine = -1;
    FaultKind worstKind;
    MachineFault? externalFault;

    /// <summary>Raised once, on the first crash line (from the thread that appended it).</summary>
    public event Action<MachineFault>? FaultDetected;

    /// <summary>Raised for every complete console line, in order (from the thread that appended it).</summary>
    public event Action<string>? LineCompleted;

    /// <summary>All console text so far.</summary>
    public string Text
    {
        get
        {
            lock (gate)
                return text.ToString();
        }
    }

    /// <summary>From now on a boot banner means the guest rebooted under the agent.</summary>
    public void MarkAgentReady()
    {
        lock (gate)
            agentReady = true;
    }

    public void Append(string chunk)
    {
        MachineFault? raised = null;
        int first, end;
        lock (gate)
        {
            text.Append(chunk);
            first = lines.Count;
            foreach (var c in chunk)
            {
                if (c == '\n')
                {
                    // Every line must complete, even after a fault in the same chunk.
                    var fault = CompleteLine();
                    raised ??= fault;
                }
                else if (c != '\r')
                    partial.Append(c);
            }
            end = lines.Count;
        }
        Notify(first, end, raised);
    }

    /// <summary>The guest's output ended: scan a last line that had no newline.</summary>
    public void Complete()
    {
        MachineFault? raised = null;
        int first, end;
        lock (gate)
        {
            first = lines.Count;
            if (partial.Length > 0)
                raised = CompleteLine();
            end = lines.Count;
        }
        Notify(first, end, raised);
    }

    void Notify(int first, int end, MachineFault? raised)
    {
        if (end > first && LineCompleted is { } handler)
        {
            List<string> completed;
            lock (gate)
                completed = lines.GetRange(first, end - first);
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
        lock (gate)
        {
            if (partial.Length > 0)
                CompleteLine();
            text.Append('\n').Append(note).Append('\n');
            agentReady = false;
            firstHitLine = worstHitLine = -1;
            externalFault = null;
        }
    }

    /// <summary>
    /// Records a fault found outside the console (boot timeout, hang, unexpected exit). It counts
    /// only when the console shows nothing worse: a panic explains an exit better than "exited".
    /// </summary>
    public MachineFault Report(FaultKind kind, string summary)
    {
        lock (gate)
        {
            externalFault ??= new MachineFault(kind, summary, TailExcerpt());
            return Fault!;
        }
    }

    public MachineFault? Fault
    {
        get
        {
            lock (gate)
            {
                if (firstHitLine < 0)
                    return externalFault;
                var summary = lines[firstHitLine].Trim();
                if (worstHitLine != firstHitLine)
                    summary += " … " + lines[worstHitLine].Trim();
                return new MachineFault(worstKind, summary, Excerpt());
            }
        }
    }

    MachineFault? CompleteLine()
    {
        var line = partial.ToString();
        partial.Clear();
        lines.Add(line);
        var index = lines.Count - 1;

        FaultKind? kind = CrashPatterns.Match(line)?.Kind;
        if (kind is null && agentReady && line.Contains(CrashPatterns.BootBanner, StringComparison.Ordinal))
            kind = FaultKind.UnexpectedReboot;
        if (kind is not { } k)
            return null;

        if (firstHitLine < 0)
        {
            firstHitLine = worstHitLine = index;
            worstKind = k;
            return Fault;
        }
        if (CrashPatterns.Severity(k) > CrashPatterns.Severity(worstKind))
        {
            worstKind = k;
            worstHitLine = index;
        }
        return null;
    }

    string Excerpt()
    {
        var from = Math.Max(0, firstHitLine - LinesBefore);
        var to = Math.Min(lines.Count, Math.Max(firstHitLine + LinesAfter, worstHitLine + 10));
        var excerpt = string.Join('\n', lines.Skip(from).Take(to - from));
        if (to == lines.Count && partial.Length > 0)
            excerpt += "\n" + partial;
        return excerpt;
    }

    string TailExcerpt()
    {
        var from = Math.Max(0, lines.Count - LinesBefore * 2);
        var excerpt = string.Join('\n', lines.Skip(from));
        return partial.Length > 0 ? excerpt + "\n" + partial : excerpt;
    }
}
