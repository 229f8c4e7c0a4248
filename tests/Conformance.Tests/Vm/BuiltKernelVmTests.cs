using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Machines.Protocol;

namespace Conformance.Tests.Vm;

/// <summary>
/// A kernel built by `kernels build --fragment no-seccomp-filter` (first run: several minutes of
/// make; cached afterwards): it must boot the agent and really lack seccomp filter mode.
/// </summary>
[TestFixture, Category("Vm"), NonParallelizable]
public class BuiltKernelVmTests : AgentVmFixture
{
    const KernelArch Arch = KernelArch.X86_64;

    protected override Task<KernelDescriptor> KernelAsync() => VmKernels.NoSeccompFilter(Arch);

    [Test]
    public void The_store_records_a_built_kernel_whose_config_has_no_filter_mode()
    {
        Assert.That(kernel.Origin, Is.EqualTo(KernelOrigin.Built));
        Assert.That(kernel.Fragments, Does.Contain("no-seccomp-filter.config (built-in)"));
        Assert.That(kernel.Facts["SECCOMP"], Is.EqualTo(ConfigState.Yes));
        Assert.That(kernel.Facts["SECCOMP_FILTER"], Is.AnyOf(ConfigState.Absent, ConfigState.No));
        Assert.That(KernelConfig.Load(kernel.ConfigPath!)["NET"], Is.AnyOf(null, "n"));
        Assert.That(new KernelStore().List().Select(k => k.ImagePath), Does.Contain(kernel.ImagePath));
    }

    [Test]
    public void Hello_names_the_built_release()
    {
        Assert.That(machine.Session!.Hello.Release, Is.EqualTo(kernel.Release));
        Assert.That(kernel.Release, Does.Match(@"^6\.1\.\d+-cf[0-9a-f]{10}$"), "LOCALVERSION carries the build hash");
    }

    [Test]
    public async Task A_trivial_case_round_trips_and_filter_mode_is_missing()
    {
        var p = new ProgramBuilder();
        p.Root(b => b
            .Syscall(1, VmKernels.Nr(Arch, "getppid"))
            .Syscall(2, VmKernels.Nr(Arch, "prctl"), Operand.Imm(22), Operand.Imm(2), Operand.Null)
            .Syscall(3, VmKernels.Nr(Arch, "prctl"), Operand.Imm(21)));

        var r = await VmKernels.RunOne(machine, p);

        Assert.That(r.Call(1).Ret, Is.EqualTo(1));
        Assert.That(r.Call(2).Ret, Is.EqualTo(-22), "PR_SET_SECCOMP mode 2 without SECCOMP_FILTER: EINVAL");
        Assert.That(r.Call(3).Ret, Is.Zero, "PR_GET_SECCOMP still works: strict mode is built in");
        Assert.That(r.Root.Exited && r.Root.ExitCode == 0, Is.True, r.Root.ToString());
    }
}
