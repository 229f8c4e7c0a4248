using System.Diagnostics;
using Conformance.Machines.Vm;

namespace Conformance.Tests.Vm;

/// <summary>
/// QEMU dies with the harness, however the harness dies, and never because the thread that started
/// it went away. Real processes: a harness stand-in (tests/Conformance.LaunchProbe) is SIGKILLed.
/// </summary>
[Category("Host")]
public class ParentDeathLauncherTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Running and not a zombie; a dead child may linger as a zombie until someone reaps it.</summary>
    static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
    }

    static string Command(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    static bool WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience) return false;
            Thread.Sleep(20);
        }
        return true;
    }

    static bool WaitUntilDead(int pid) => WaitUntil(() => !Alive(pid));

    static void KillIfAlive(int pid)
    {
        if (!Alive(pid)) return;
        try
        {
            using var p = Process.GetProcessById(pid);
            p.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Gone meanwhile.
        }
    }

    [Test]
    public void A_child_dies_when_the_harness_that_started_it_is_sigkilled()
    {
        var probe = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        probe.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Conformance.LaunchProbe.dll"));
        using var harness = Process.Start(probe)!;
        int child = 0;
        try
        {
            var line = harness.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
            Assert.That(int.TryParse(line, out child), Is.True, $"the probe prints its child's pid, not '{line}'");
            Assert.That(WaitUntil(() => Command(child) == "sleep"), Is.True, "setpriv execs the program in place: same pid");
            Assert.That(ParentOf(child), Is.EqualTo(harness.Id));
            Thread.Sleep(300);
            Assert.That(Alive(child), Is.True, "the child runs while its harness does, though the thread-pool thread that asked for it may be gone");

            harness.Kill(); // SIGKILL: no exit hook of the harness runs.
            harness.WaitForExit();
            Assert.That(WaitUntilDead(child), Is.True, $"child {child} outlived its SIGKILLed harness");
        }
        finally
        {
            if (!harness.HasExited) harness.Kill();
            if (child > 0) KillIfAlive(child);
        }
    }

    [Test]
    public void A_child_outlives_the_thread_that_asked_for_it_while_a_naive_parent_death_signal_does_not()
    {
        Process? tied = null, naive = null;
        // Each starter thread exits as soon as its child started, as a retiring thread-pool thread would.
        var starter = new Thread(() =>
        {
            tied = ParentDeathLauncher.Start(new ProcessStartInfo("sleep") { ArgumentList = { "600" }, UseShellExecute = false });
            naive = Process.Start(new ProcessStartInfo("setpriv") { ArgumentList = { "--pdeathsig", "KILL", "--", "sleep", "600" }, UseShellExecute = false });
            // setpriv sets the signal only after its own exec: a thread gone before then leaves nothing to fire.
            WaitUntil(() => Command(naive!.Id) == "sleep");
            WaitUntil(() => Command(tied!.Id) == "sleep");
        });
        starter.Start();
        starter.Join();
        try
        {
            Assert.That(WaitUntilDead(naive!.Id), Is.True,
                "control: a child forked by a thread that exits is killed, which is the hazard the launcher avoids");
            Assert.That(Alive(tied!.Id), Is.True, "the launcher's child survives its requester's thread");
        }
        finally
        {
            tied?.Kill();
            naive?.Kill();
            tied?.Dispose();
            naive?.Dispose();
        }
    }
}
