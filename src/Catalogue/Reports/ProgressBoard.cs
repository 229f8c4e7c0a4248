namespace Conformance.Catalogue.Reports;

/// <summary>
/// Live progress of one or more catalogue runs (one per kernel, possibly in parallel) on one output.
/// On a terminal, a single status line with every run's count is redrawn in place and permanent
/// lines (failures, machines, results) are printed above it. Anywhere else (CI logs, pipes) there
/// are no cursor tricks: only whole lines, with a progress line at each tenth of a run.
/// </summary>
public sealed class ProgressBoard(TextWriter output, bool interactive, int width = 120)
{
    const string ClearLine = "\r\u001b[2K";

    readonly object _lock = new();
    readonly List<ConsoleProgress> _runs = [];
    bool _statusShown;

    /// <summary>True when stdout is a terminal that understands a redrawn line.</summary>
    public static bool StdoutIsInteractive() =>
        !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term && term != "dumb";

    /// <summary>The terminal's width, for a status line that must not wrap (a wrapped line cannot be redrawn).</summary>
    public static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 20 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    public ConsoleProgress Track(string label)
    {
        var run = new ConsoleProgress(this, label);
        lock (_lock)
            _runs.Add(run);
        return run;
    }

    /// <summary>Prints a line that stays (above the status line on a terminal).</summary>
    internal void Line(string text)
    {
        lock (_lock)
        {
            if (_statusShown)
                output.Write(ClearLine);
            output.WriteLine(text);
            // The status comes back with the next case, not now: the harness logs to stderr on the same
            // terminal, and a log line written right after a machine line would land on the status line.
            _statusShown = false;
            output.Flush();
        }
    }

    /// <summary>A run finished another case: redraw the status, or in a log print each tenth.</summary>
    internal void Progressed(ConsoleProgress run, bool crossedTenth)
    {
        lock (_lock)
        {
            if (interactive)
                DrawStatus();
            else if (crossedTenth)
                output.WriteLine(run.ProgressLine());
            output.Flush();
        }
    }

    /// <summary>Removes the status line, before a final table is printed.</summary>
    public void End()
    {
        lock (_lock)
        {
            if (_statusShown)
                output.Write(ClearLine);
            _statusShown = false;
            output.Flush();
        }
    }

    void DrawStatus()
    {
        var status = string.Join(" | ", _runs.Where(r => !r.Finished).Select(r => r.StatusText()));
        if (status.Length == 0)
        {
            if (_statusShown) output.Write(ClearLine);
            _statusShown = false;
            return;
        }
        if (status.Length > width - 1)
            status = status[..(width - 4)] + "...";
        output.Write(ClearLine + status);
        _statusShown = true;
    }
}
