using Conformance.Machines;
using Conformance.Machines.Kernels;
using Conformance.Machines.Protocol;
using Conformance.Machines.Vm;

namespace Conformance.Tests.Vm;

/// <summary>
/// The agent's virtio port on Debian's 6.1 kernels (its drivers are modules there, so `run` keeps
/// those on the serial console by default and these tests ask for the port): frames go over
/// the port, the kernel's console stays on the serial line where crashes are read, and an agent
/// that finds no port falls back to the serial console.
/// </summary>
[TestFixture(KernelArch.X86_64), TestFixture(KernelArch.Aarch64), Category("Vm"), NonParallelizable]
public class AgentPortVmTests(KernelArch arch)
{
    [Test]
    public async Task A_panic_during_a_case_on_the_port_is_read_from_the_console()
    {
        var kernel = await VmKernels.Debian61(arch);
        await using var machine = await VmKernels.StartAgentAsync(kernel, AgentPortUse.Any);
        Assert.That(machine.Session!.Hello.SpeaksOnPort, Is.True);

        var p = new ProgramBuilder();
        int trigger = p.AddString("/proc/sysrq-trigger"), crash = p.AddString("c");
        p.Root(b => b
            .Syscall(1, VmKernels.Nr(arch, "openat"), Dest.Reg(0), Operand.Imm(-100), Operand.Blob(trigger), Operand.Imm(1 /* O_WRONLY */))
            .Syscall(2, VmKernels.Nr(arch, "write"), Operand.Reg(0), Operand.Blob(crash), Operand.Imm(1)));
        var e = Assert.ThrowsAsync<MachineFaultException>(() => VmKernels.RunOne(machine, p));

        Assert.That(e!.Fault.Kind, Is.EqualTo(FaultKind.Panic), e.Fault.Summary);
        Assert.That(e.Fault.Summary, Does.Contain("sysrq triggered crash"));
    }

    [Test]
    public async Task Without_its_modules_the_agent_speaks_on_the_serial_console()
    {
        var kernel = await VmKernels.Debian61(arch);
        // A port is added, but the image lacks the modules that would make it appear in the guest.
        await using var machine = new QemuMachine(new QemuMachineOptions(kernel, await VmKernels.AgentImage(arch))
        {
            CacheRoot = VmKernels.Store.CacheRoot,
            AgentPort = true,
        });
        await machine.StartAsync(CancellationToken.None);

        Assert.That(machine.Session!.Hello.SpeaksOnPort, Is.False);
        var p = new ProgramBuilder();
        p.Root(b => b.Mark(1, 0x5e71a1));
        var r = await VmKernels.RunOne(machine, p);
        Assert.That(r.Of<MarkObservation>().Single().Value, Is.EqualTo(0x5e71a1u));
        Assert.That(await machine.StopAsync(TimeSpan.FromSeconds(30)), Is.True, "QUIT on the serial console ends the guest");
    }

    [Test]
    public async Task A_long_result_and_quit_travel_the_port()
    {
        var kernel = await VmKernels.Debian61(arch);
        await using var machine = await VmKernels.StartAgentAsync(kernel, AgentPortUse.Any);

        var p = new ProgramBuilder();
        p.Root(b =>
        {
            for (int i = 0; i < 3000; i++)
                b.Mark((ushort)(i % 5), (uint)(i * 2654435761u));
        });
        var r = await VmKernels.RunOne(machine, p);

        Assert.That(r.Of<MarkObservation>().Select(m => m.Value), Is.EqualTo(Enumerable.Range(0, 3000).Select(i => (uint)(i * 2654435761u))));
        Assert.That(await machine.StopAsync(TimeSpan.FromSeconds(30)), Is.True, "QUIT over the port ends the guest");
        Assert.That(machine.Fault, Is.Null);
    }

    [Test]
    public async Task Built_in_drivers_give_the_port_by_default()
    {
        var kernel = await VmKernels.Store.FetchDebianAsync(DebianKernelSeries.V6_12, arch);
        await using var machine = await VmKernels.StartAgentAsync(kernel);

        Assert.That(machine.Session!.Hello.SpeaksOnPort, Is.True, "6.12 builds the virtio console in");
        var p = new ProgramBuilder();
        p.Root(b => b.Mark(1, 612));
        Assert.That((await VmKernels.RunOne(machine, p)).Of<MarkObservation>().Single().Value, Is.EqualTo(612u));
    }
}
