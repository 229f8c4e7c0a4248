using System.Collections.Concurrent;
using System.Diagnostics;

namespace Conformance.Machines.Vm;

/// <summary>
/// Starts child processes (QEMU) that the kernel kills when the harness dies, SIGKILL included,
/// where no exit hook of the harness can run. The child is started as
/// <c>setpriv --pdeathsig KILL -- program args</c>: setpriv sets PR_SET_PDEATHSIG in the child,
/// between fork and exec, where .NET runs no managed code, then execs the program in the same
/// process (same pid). The kernel sends that signal when the *thread* that forked the child exits,
/// not the process, and Process.Start forks on the calling thread, which may be a thread-pool thread
/// that retires later and would take a healthy guest with it. So every fork happens on one
/// dedicated thread that lives as long as the harness.
/// </summary>
/// <remarks>
/// One window stays open: a harness killed after fork but before setpriv's prctl leaves the child
/// running (setpriv does not re-check its parent). That is microseconds per start; the SIGTERM path
/// (QemuProcess's exit hook) does not depend on it.
/// </remarks>
public static class ParentDeathLauncher
{
    const string SetPriv = "setpriv";

    static readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Started)> Requests = new();
    static readonly Lazy<Thread> Forker = new(() =>
    {
        var thread = new Thread(Serve) { IsBackground = true, Name = "child launcher (parent-death signal)" };
        thread.Start();
        return thread;
    });

    /// <summary>
    /// Starts <paramref name="start"/>'s program tied to the harness's life. Throws
    /// <see cref="FileNotFoundException"/> when the program is not installed (setpriv itself would
    /// only fail after starting, with an exit code instead of an exception).
    /// </summary>
    public static Process Start(ProcessStartInfo start)
    {
        var program = ResolveOnPath(start.FileName) ?? throw new FileNotFoundException($"{start.FileName} is not installed (not on PATH)", start.FileName);
        var setpriv = ResolveOnPath(SetPriv) ?? throw new FileNotFoundException("setpriv (util-linux) is not installed (not on PATH)", SetPriv);
        var tied = new ProcessStartInfo(setpriv)
        {
            RedirectStandardInput = start.RedirectStandardInput,
            RedirectStandardOutput = start.RedirectStandardOutput,
            RedirectStandardError = start.RedirectStandardError,
            UseShellExecute = false,
            WorkingDirectory = start.WorkingDirectory,
        };
        foreach (var a in (string[])["--pdeathsig", "KILL", "--", program, .. start.ArgumentList])
            tied.ArgumentList.Add(a);
        foreach (var (name, value) in start.Environment)
            tied.Environment[name] = value;

        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Forker.Value;
        Requests.Add((tied, started));
        return started.Task.GetAwaiter().GetResult();
    }

    static void Serve()
    {
        foreach (var (start, started) in Requests.GetConsumingEnumerable())
        {
            var process = new Process { StartInfo = start };
            try
            {
                process.Start();
                started.SetResult(process);
            }
            catch (Exception e)
            {
                // Handed to the caller: this thread must outlive every child it started.
                process.Dispose();
                started.SetException(e);
            }
        }
    }

    /// <summary>The program's full path: as given when it holds a '/', else the first match on PATH.</summary>
    static string? ResolveOnPath(string program)
    {
        if (program.Contains('/'))
            return File.Exists(program) ? Path.GetFullPath(program) : null;
        return (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
    }
}
