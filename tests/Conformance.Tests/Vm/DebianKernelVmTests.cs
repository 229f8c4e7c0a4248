using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Machines.Protocol;

namespace Conformance.Tests.Vm;

/// <summary>The agent on Debian bookworm's 6.1 cloud kernels, booted in QEMU (TCG).</summary>
[TestFixture(KernelArch.X86_64), TestFixture(KernelArch.Aarch64), Category("Vm"), NonParallelizable]
public class DebianKernelVmTests(KernelArch arch) : AgentVmFixture
{
    protected override Task<KernelDescriptor> KernelAsync() => VmKernels.Debian61(arch);

    [Test]
    public void Hello_comes_from_the_kernel_that_was_booted_with_the_agent_as_init()
    {
        var hello = machine.Session!.Hello;

        Assert.That(hello.Release, Is.EqualTo(kernel.Release));
        Assert.That(hello.Machine, Is.EqualTo(arch.Name()));
        Assert.That(hello.IsInit, Is.True);
        Assert.That(hello.Pid, Is.EqualTo(1));
        Assert.That(hello.Helpers, Does.Contain(arch == KernelArch.X86_64 ? "i386" : "arm"), "the compat helper is in the image");
        Assert.That(hello.SpeaksOnPort, Is.False, "6.1's virtio console is a module: the serial console by default");
        Assert.That(machine.BootTime, Is.Not.Null);
        Assert.That(machine.ConsoleText, Does.Not.Contain("Linux version"), "the kernel booted quiet (its banner is a notice)");
        Assert.That(machine.Fault, Is.Null);
    }

    [Test]
    public async Task A_trivial_case_round_trips()
    {
        var p = new ProgramBuilder();
        p.Root(b => b.Syscall(1, VmKernels.Nr(arch, "getppid")).Mark(2, 0xc0ffee));

        var r = await VmKernels.RunOne(machine, p, caseId: 7);

        Assert.That(r.CaseId, Is.EqualTo(7u));
        Assert.That(r.Call(1).Ret, Is.EqualTo(1), "the case root is a child of the agent, PID 1");
        Assert.That(r.Of<MarkObservation>().Single().Value, Is.EqualTo(0xc0ffeeu));
        Assert.That(r.Root.Exited && r.Root.ExitCode == 0, Is.True, r.Root.ToString());
    }

    [Test]
    public async Task Filter_mode_is_there_the_null_probe_gives_EFAULT()
    {
        // prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL): EFAULT when filter mode exists, EINVAL when not.
        var p = new ProgramBuilder();
        p.Root(b => b.Syscall(1, VmKernels.Nr(arch, "prctl"), Operand.Imm(22), Operand.Imm(2), Operand.Null));

        var r = await VmKernels.RunOne(machine, p, caseId: 8);

        Assert.That(r.Call(1).Ret, Is.EqualTo(-14));
    }
}
