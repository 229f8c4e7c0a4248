using Conformance.Machines.Kernels;
using Conformance.Machines.Vm;

namespace Conformance.Tests.Vm;

[TestFixture]
public class QemuCommandLineTests
{
    static QemuLaunchSpec Spec(KernelArch arch) => new(arch, "/k/vmlinuz", "/i/initrd.cpio.gz");

    [Test]
    public void X86_64_guest_is_a_pc_on_tcg_with_the_serial_line_on_stdio()
    {
        var args = QemuCommandLine.Arguments(Spec(KernelArch.X86_64));

        Assert.That(QemuCommandLine.Executable(KernelArch.X86_64), Is.EqualTo("qemu-system-x86_64"));
        Assert.That(string.Join(' ', args), Does.StartWith("-accel tcg -M pc -smp 1 -m 512 -nodefaults -no-user-config -display none -no-reboot -serial stdio"));
        Assert.That(args, Does.Not.Contain("-netdev").And.Not.Contain("-drive"));
        var append = args[args.ToList().IndexOf("-append") + 1];
        Assert.That(append, Is.EqualTo("console=ttyS0 panic=-1 reboot=t no_timer_check quiet rdinit=/init"));
    }

    [Test]
    public void Aarch64_guest_is_virt_with_a_cortex_a57_never_cpu_max()
    {
        var args = QemuCommandLine.Arguments(Spec(KernelArch.Aarch64));

        Assert.That(string.Join(' ', args), Does.Contain("-M virt -cpu cortex-a57"));
        Assert.That(args, Does.Not.Contain("max"));
        Assert.That(args[args.ToList().IndexOf("-append") + 1], Is.EqualTo("console=ttyAMA0 panic=-1 quiet rdinit=/init"));
    }

    [Test]
    public void Init_arguments_follow_a_double_dash_and_interactive_mode_muxes_the_monitor()
    {
        var spec = Spec(KernelArch.X86_64) with { InitArgs = ["exit"], ExtraKernelArgs = ["conformance.loglevel=7"], Interactive = true, Accel = QemuAccel.Kvm };
        var args = QemuCommandLine.Arguments(spec);

        Assert.That(QemuCommandLine.KernelCommandLine(spec), Does.EndWith("rdinit=/init conformance.loglevel=7 -- exit"));
        Assert.That(string.Join(' ', args), Does.Contain("-serial mon:stdio").And.StartWith("-accel kvm"));
    }

    [Test]
    public void Auto_accel_must_be_resolved_first() =>
        Assert.Throws<ArgumentException>(() => QemuCommandLine.Arguments(Spec(KernelArch.X86_64) with { Accel = QemuAccel.Auto }));

    [Test]
    public void Kernel_parameters_with_spaces_are_refused() =>
        Assert.Throws<ArgumentException>(() => QemuCommandLine.KernelCommandLine(Spec(KernelArch.X86_64) with { ExtraKernelArgs = ["a b"] }));

    [Test]
    public void An_agent_socket_adds_a_virtio_serial_port_and_tells_the_agent()
    {
        var spec = Spec(KernelArch.Aarch64) with { AgentSocket = "/tmp/a.sock" };
        var args = string.Join(' ', QemuCommandLine.Arguments(spec));

        Assert.That(args, Does.Contain("-chardev socket,id=agent,path=/tmp/a.sock,server=on,wait=off"));
        Assert.That(args, Does.Contain("-device virtio-serial-pci,id=agentbus -device virtserialport,bus=agentbus.0,chardev=agent,name=org.conformance.agent"));
        Assert.That(QemuCommandLine.KernelCommandLine(spec), Is.EqualTo("console=ttyAMA0 panic=-1 quiet rdinit=/init conformance.port=1"));
        Assert.That(string.Join(' ', QemuCommandLine.Arguments(Spec(KernelArch.Aarch64))), Does.Not.Contain("virtio"), "no socket, no port");
    }
}
