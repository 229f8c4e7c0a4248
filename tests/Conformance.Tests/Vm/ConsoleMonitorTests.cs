using Conformance.Machines;
using Conformance.Machines.Vm;

namespace Conformance.Tests.Vm;

/// <summary>Crash detection on real recorded guest consoles (Data/README.md) and on the kernel's report formats.</summary>
[TestFixture]
public class ConsoleMonitorTests
{
    static string Recording(string name) =>
        File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Vm", "Data", name));

    /// <summary>Feeds text in chunks of a given size, as serial reads would deliver it.</summary>
    static (ConsoleMonitor Monitor, List<MachineFault> Raised) Feed(string text, int chunk)
    {
        var monitor = new ConsoleMonitor();
        var raised = new List<MachineFault>();
        monitor.FaultDetected += raised.Add;
        for (var i = 0; i < text.Length; i += chunk)
            monitor.Append(text.Substring(i, Math.Min(chunk, text.Length - i)));
        monitor.Complete();
        return (monitor, raised);
    }

    static readonly int[] ChunkSizes = [1, 3, 7, 64, 100_000];

    [TestCase("x86_64-6.1-clean-boot.txt")]
    [TestCase("aarch64-6.1-clean-boot.txt")]
    public void A_clean_boot_is_no_fault(string recording)
    {
        foreach (var chunk in ChunkSizes)
        {
            var (monitor, raised) = Feed(Recording(recording), chunk);
            Assert.That(raised, Is.Empty, $"chunk {chunk}");
            Assert.That(monitor.Fault, Is.Null);
            Assert.That(monitor.Text, Is.EqualTo(Recording(recording)), "the console text is kept as received");
        }
    }

    [TestCase("x86_64-6.1-init-exits.txt", "Attempted to kill init")]
    [TestCase("aarch64-6.1-init-exits.txt", "Attempted to kill init")]
    [TestCase("x86_64-6.1-sysrq-crash.txt", "sysrq triggered crash")]
    [TestCase("aarch64-6.1-sysrq-crash.txt", "sysrq triggered crash")]
    public void A_recorded_panic_is_found_once_whatever_the_read_sizes(string recording, string reason)
    {
        foreach (var chunk in ChunkSizes)
        {
            var (monitor, raised) = Feed(Recording(recording), chunk);

            Assert.That(raised, Has.Count.EqualTo(1), $"chunk {chunk}");
            Assert.That(raised[0].Kind, Is.EqualTo(FaultKind.Panic));
            Assert.That(raised[0].Summary, Does.Contain("Kernel panic - not syncing").And.Contain(reason));
            var fault = monitor.Fault!;
            Assert.That(fault.Excerpt, Does.Contain("CONFORMANCE-BARE-INIT-READY"), "lines before the panic");
            Assert.That(fault.Excerpt, Does.Contain("panic+"), "the call trace after it");
        }
    }

    [Test]
    public void A_recorded_WARN_is_a_warning_and_the_excerpt_holds_its_whole_report()
    {
        var (monitor, raised) = Feed(Recording("x86_64-lkdtm-warning.txt"), 13);

        Assert.That(raised.Single().Kind, Is.EqualTo(FaultKind.Warning));
        Assert.That(monitor.Fault!.Kind, Is.EqualTo(FaultKind.Warning), "the kernel went on: nothing worse followed");
        Assert.That(monitor.Fault.Summary, Does.StartWith("WARNING: CPU: 0 PID: 16 at drivers/misc/lkdtm/bugs.c"));
        Assert.That(monitor.Fault.Excerpt, Does.Contain("Call Trace:").And.Contain("---[ end trace"));
    }

    [Test]
    public void A_recorded_BUG_is_found_at_its_header_and_reported_as_the_oops_it_became()
    {
        var (monitor, raised) = Feed(Recording("x86_64-lkdtm-bug.txt"), 64);

        Assert.That(raised.Single().Kind, Is.EqualTo(FaultKind.Bug));
        Assert.That(raised[0].Summary, Does.StartWith("kernel BUG at drivers/misc/lkdtm/bugs.c"));
        Assert.That(monitor.Fault!.Kind, Is.EqualTo(FaultKind.Oops), "x86 reports BUG() as 'invalid opcode'");
    }

    [Test]
    public void A_recorded_NULL_dereference_is_an_oops()
    {
        var (monitor, raised) = Feed(Recording("x86_64-lkdtm-exception.txt"), 5);

        Assert.That(raised.Single().Summary, Does.StartWith("BUG: kernel NULL pointer dereference"));
        Assert.That(monitor.Fault!.Kind, Is.EqualTo(FaultKind.Oops));
        Assert.That(monitor.Fault.Summary, Does.EndWith("Oops: 0002 [#1]"));
        Assert.That(monitor.Fault.Excerpt, Does.Contain("lkdtm_EXCEPTION"));
    }

    // Report headers in the kernel's own formats (lib/bug.c, arch/x86/kernel/dumpstack.c,
    // arch/arm64/kernel/traps.c and mm/fault.c in 6.1), which the recordings above cannot contain.
    [TestCase("[   12.5] BUG: kernel NULL pointer dereference, address: 0000000000000000", FaultKind.Bug)]
    [TestCase("[   12.5] kernel BUG at kernel/seccomp.c:123!", FaultKind.Bug)]
    [TestCase("[   12.5] Oops: 0002 [#1] PREEMPT SMP NOPTI", FaultKind.Oops)]
    [TestCase("[   12.5] general protection fault, probably for non-canonical address 0xdead: 0000 [#1] SMP", FaultKind.Oops)]
    [TestCase("[   12.5] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000000", FaultKind.Oops)]
    [TestCase("[   12.5] Internal error: Oops: 0000000096000005 [#1] SMP", FaultKind.Oops)]
    [TestCase("[   12.5] divide error: 0000 [#1] PREEMPT SMP NOPTI", FaultKind.Oops)]
    [TestCase("[   12.5] Unhandled fault: alignment fault (0x96000021) at 0xffff000012345679", FaultKind.Oops)]
    [TestCase("[   12.5] WARNING: CPU: 0 PID: 77 at kernel/seccomp.c:999 seccomp_run_filters+0x1/0x2", FaultKind.Warning)]
    public void Each_report_header_is_classified(string line, FaultKind kind)
    {
        var (monitor, raised) = Feed("boot\n" + line + "\nmore\n", 5);
        Assert.That(raised.Single().Kind, Is.EqualTo(kind));
        Assert.That(monitor.Fault!.Summary, Is.EqualTo(line.Trim()));
    }

    [Test]
    public void A_pattern_split_across_reads_is_still_found()
    {
        var monitor = new ConsoleMonitor();
        var raised = new List<MachineFault>();
        monitor.FaultDetected += raised.Add;
        monitor.Append("[ 1.0] Kernel pa");
        Assert.That(raised, Is.Empty);
        monitor.Append("nic - not syncing: Fatal exception\r");
        monitor.Append("\n");
        Assert.That(raised.Single().Kind, Is.EqualTo(FaultKind.Panic));
        Assert.That(raised[0].Summary, Is.EqualTo("[ 1.0] Kernel panic - not syncing: Fatal exception"));
    }

    [Test]
    public void A_last_line_without_newline_is_scanned_when_the_output_ends()
    {
        var (_, raised) = Feed("ok\n[ 2.0] Kernel panic - not syncing: x", 1000);
        Assert.That(raised.Single().Kind, Is.EqualTo(FaultKind.Panic));
    }

    [Test]
    public void A_warning_that_ends_in_a_panic_reports_the_panic_and_keeps_the_first_line()
    {
        var (monitor, raised) = Feed(
            "a\nWARNING: CPU: 0 PID: 1 at x.c:1 f+0x0\nBUG: kernel NULL pointer dereference, address: 0\n"
            + "Oops: 0000 [#1] SMP\nKernel panic - not syncing: Fatal exception\n", 9);

        Assert.That(raised.Single().Kind, Is.EqualTo(FaultKind.Warning), "raised at the first sign");
        Assert.That(monitor.Fault!.Kind, Is.EqualTo(FaultKind.Panic), "reported as the worst");
        Assert.That(monitor.Fault.Summary, Does.StartWith("WARNING: CPU: 0").And.EndWith("Kernel panic - not syncing: Fatal exception"));
    }

    [Test]
    public void A_boot_banner_after_the_agent_was_ready_is_an_unexpected_reboot()
    {
        var monitor = new ConsoleMonitor();
        monitor.Append("[ 0.0] Linux version 6.1.0 (x) #1\n");
        Assert.That(monitor.Fault, Is.Null, "the first boot's banner is expected");
        monitor.MarkAgentReady();
        monitor.Append("[ 0.0] Linux version 6.1.0 (x) #1\n");
        Assert.That(monitor.Fault!.Kind, Is.EqualTo(FaultKind.UnexpectedReboot));
    }

    [Test]
    public void An_external_fault_counts_only_when_the_console_shows_nothing_worse()
    {
        var quiet = new ConsoleMonitor();
        quiet.Append("booting\nstill booting\n");
        Assert.That(quiet.Report(FaultKind.BootTimeout, "no HELO").Kind, Is.EqualTo(FaultKind.BootTimeout));
        Assert.That(quiet.Fault!.Excerpt, Does.Contain("still booting"));

        var crashed = new ConsoleMonitor();
        crashed.Append("Kernel panic - not syncing: x\n");
        Assert.That(crashed.Report(FaultKind.UnexpectedExit, "QEMU exited").Kind, Is.EqualTo(FaultKind.Panic));
    }

    [Test]
    public void Excerpt_is_the_lines_around_the_first_crash_line_not_the_whole_console()
    {
        var before = string.Concat(Enumerable.Range(0, 500).Select(i => $"early {i}\n"));
        var after = string.Concat(Enumerable.Range(0, 500).Select(i => $"late {i}\n"));
        var (monitor, _) = Feed(before + "Oops: 0000 [#1] SMP\n" + after, 4096);

        var excerpt = monitor.Fault!.Excerpt.Split('\n');
        Assert.That(excerpt, Does.Contain("early 499").And.Contain("late 0"));
        Assert.That(excerpt, Does.Not.Contain("early 0").And.Not.Contain("late 499"));
    }

    [Test]
    public void Lines_are_announced_in_order_without_carriage_returns()
    {
        var monitor = new ConsoleMonitor();
        var lines = new List<string>();
        monitor.LineCompleted += lines.Add;
        monitor.Append("one\r\ntw");
        monitor.Append("o\r\nthree");
        monitor.Complete();
        Assert.That(lines, Is.EqualTo(new[] { "one", "two", "three" }));
    }
}
