using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Machines.Vm;
using Microsoft.Extensions.Logging.Abstractions;
using Conformance.Tests.Vm;

namespace Conformance.Tests.Executor;

/// <summary>
/// How a QemuMachine ends when the guest does not behave: real kernels, real panics, and QEMU
/// processes that must not outlive the machine.
/// </summary>
[TestFixture, Category("Vm"), NonParallelizable]
public class MachineFaultVmTests
{
    const KernelArch Arch = KernelArch.X86_64;

    static async Task<QemuMachine> BareInitMachine(params string[] initArgs) =>
        new(new QemuMachineOptions(await VmKernels.Debian61(Arch), await VmKernels.BareInitImage(Arch))
        {
            InitArgs = initArgs,
            HelloTimeout = TimeSpan.FromSeconds(90),
            CacheRoot = VmKernels.Store.CacheRoot,
        });

    [Test]
    public async Task Init_dying_is_a_panic_fault_with_the_kernel_report_and_QEMU_is_gone()
    {
        await using var machine = await BareInitMachine("exit");

        var e = Assert.ThrowsAsync<MachineFaultException>(() => machine.StartAsync(CancellationToken.None));

        Assert.That(e!.Fault.Kind, Is.EqualTo(FaultKind.Panic));
        Assert.That(e.Fault.Summary, Does.Contain("Attempted to kill init"));
        Assert.That(e.Fault.Excerpt, Does.Contain(BareInitBinary.Marker));
        Assert.That(machine.Fault!.Kind, Is.EqualTo(FaultKind.Panic));
        Assert.That(machine.ConsoleText, Does.Contain("Kernel panic"));
        await Task.Delay(200);
        Assert.That(VmKernels.ProcessGone(machine.ProcessId!.Value), Is.True);
    }

    [Test]
    public async Task A_guest_that_reboots_without_being_asked_is_an_unexpected_exit()
    {
        // bare-init prints its marker and reboots: QEMU exits 0, but nobody sent QUIT.
        await using var machine = await BareInitMachine();

        var e = Assert.ThrowsAsync<MachineFaultException>(() => machine.StartAsync(CancellationToken.None));

        Assert.That(e!.Fault.Kind, Is.EqualTo(FaultKind.UnexpectedExit), e.Fault.Summary);
        Assert.That(machine.ConsoleText, Does.Contain("reboot: Restarting system"));
    }

    [Test]
    public async Task No_hello_in_time_is_a_boot_timeout_and_QEMU_is_killed()
    {
        var kernel = await VmKernels.Debian61(Arch);
        await using var machine = new QemuMachine(new QemuMachineOptions(kernel, await VmKernels.AgentImage(Arch))
        {
            // No kernel boots to userspace in this time under TCG; the machine must give up and kill QEMU.
            HelloTimeout = TimeSpan.FromMilliseconds(300),
            CacheRoot = VmKernels.Store.CacheRoot,
        });

        var e = Assert.ThrowsAsync<MachineFaultException>(() => machine.StartAsync(CancellationToken.None));

        Assert.That(e!.Fault.Kind, Is.EqualTo(FaultKind.BootTimeout));
        await Task.Delay(200);
        Assert.That(VmKernels.ProcessGone(machine.ProcessId!.Value), Is.True);
    }

    [Test]
    public async Task Disposing_a_running_machine_kills_QEMU_and_quit_ends_it_cleanly()
    {
        var kernel = await VmKernels.Debian61(Arch);
        var killed = await VmKernels.StartAgentAsync(kernel);
        var pid = killed.ProcessId!.Value;
        Assert.That(VmKernels.ProcessGone(pid), Is.False);
        await killed.DisposeAsync();
        Assert.That(VmKernels.ProcessGone(pid), Is.True);
        Assert.That(killed.Fault, Is.Null, "a guest the harness ends itself has not faulted");

        await using var polite = await VmKernels.StartAgentAsync(kernel);
        Assert.That(await polite.StopAsync(TimeSpan.FromSeconds(60)), Is.True, "QUIT rebooted the guest and QEMU exited");
        await Task.Delay(1000); // past the exit watcher's drain time
        Assert.That(polite.Fault, Is.Null, "an asked-for exit is not a fault");
        Assert.That(polite.ConsoleText, Does.Contain("reboot: Restarting system"));
    }

    [Test]
    public async Task QEMU_refusing_to_start_is_an_unexpected_exit_with_its_own_words()
    {
        var bogus = new KernelDescriptor("bogus", Arch, KernelOrigin.User, "/nonexistent/bzImage", null, KernelConfigFacts.Unknown);
        await using var machine = new QemuMachine(new QemuMachineOptions(bogus, await VmKernels.AgentImage(Arch)) { CacheRoot = VmKernels.Store.CacheRoot });

        var e = Assert.ThrowsAsync<MachineFaultException>(() => machine.StartAsync(CancellationToken.None));

        Assert.That(e!.Fault.Kind, Is.EqualTo(FaultKind.UnexpectedExit));
        Assert.That(e.Fault.Summary, Does.Contain("/nonexistent/bzImage"), "QEMU's stderr names the missing kernel");
    }

    [Test]
    public async Task A_real_panic_after_boot_is_found_by_the_marker_boot_monitor_too()
    {
        var kernel = await VmKernels.Debian61(Arch);
        var spec = new QemuLaunchSpec(Arch, kernel.ImagePath, await VmKernels.BareInitImage(Arch)) { InitArgs = ["crash"] };

        var result = await MarkerBoot.RunAsync(spec, BareInitBinary.Marker, TimeSpan.FromSeconds(120), NullLogger.Instance);

        Assert.That(result.MarkerSeen, Is.True);
        Assert.That(result.MarkerLine, Does.EndWith(kernel.Release));
        Assert.That(result.Fault!.Kind, Is.EqualTo(FaultKind.Panic));
        Assert.That(result.Fault.Summary, Does.Contain("sysrq triggered crash"));
        Assert.That(result.ExitCode, Is.Zero, "QEMU's exit code says nothing: a panic exits 0 too");
    }
}
