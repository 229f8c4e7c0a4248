using System.Diagnostics;
using System.Text;

namespace Conformance.Machines.Tools;

/// <summary>The outcome of a finished external command.</summary>
public sealed record CommandResult(string FileName, IReadOnlyList<string> Arguments, int ExitCode, string StandardOutput, string StandardError)
{
    public string CommandLine => ExternalCommand.Quote(FileName, Arguments);
}

/// <summary>Thrown when a tool the harness relies on (apt, dpkg-deb, make, qemu) fails.</summary>
public sealed class ExternalCommandException(string message) : Exception(message);

/// <summary>
/// Runs the host tools the harness drives (apt-get, dpkg-deb, make). Output is captured so a failure
/// can be reported with the tool's own words; long-running builds can stream it to a log instead.
/// </summary>
public static class ExternalCommand
{
    /// <summary>Runs a command to completion; throws with its stderr when it fails.</summary>
    public static async Task<CommandResult> RunAsync(
        string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        TextWriter? log = null, IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var result = await TryRunAsync(fileName, arguments, workingDirectory, log, environment, cancellationToken);
        if (result.ExitCode != 0)
            throw new ExternalCommandException(
                $"'{result.CommandLine}' failed with exit code {result.ExitCode}"
                + (workingDirectory is null ? "" : $" (in {workingDirectory})") + ": "
                + Tail(result.StandardError.Length > 0 ? result.StandardError : result.StandardOutput, 40));
        return result;
    }

    /// <summary>Runs a command to completion and returns its exit code instead of throwing.</summary>
    public static async Task<CommandResult> TryRunAsync(
        string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        TextWriter? log = null, IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var args = arguments.ToList();
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment)
                start.Environment[k] = v;

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ExternalCommandException($"cannot run '{fileName}': {e.Message} (is it installed?)");
        }
        process.StandardInput.Close();

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var logLock = new object();
        async Task Pump(StreamReader reader, StringBuilder into)
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
            {
                lock (logLock)
                {
                    // A build log holds everything; keeping all of make's stdout in memory too would
                    // cost hundreds of MB for a kernel build, so only the tail is kept then.
                    into.AppendLine(line);
                    if (log is not null)
                    {
                        log.WriteLine(line);
                        if (into.Length > 256 * 1024)
                            into.Remove(0, into.Length - 128 * 1024);
                    }
                }
            }
        }
        var pumps = Task.WhenAll(Pump(process.StandardOutput, stdout), Pump(process.StandardError, stderr));
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw;
        }
        await pumps;
        log?.Flush();
        return new CommandResult(fileName, args, process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A shell-like rendering of a command, for messages and logs.</summary>
    public static string Quote(string fileName, IEnumerable<string> arguments) =>
        string.Join(' ', new[] { fileName }.Concat(arguments).Select(QuoteOne));

    static string QuoteOne(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";

    static string Tail(string text, int lines)
    {
        var all = text.TrimEnd().Split('\n');
        return all.Length <= lines ? text.TrimEnd() : "...\n" + string.Join('\n', all[^lines..]);
    }
}
