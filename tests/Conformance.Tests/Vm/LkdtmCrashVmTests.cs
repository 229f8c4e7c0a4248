using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Machines.Protocol;

namespace Conformance.Tests.Vm;

/// <summary>
/// Crash detection while a session runs, on a kernel built with lkdtm.config: a case provokes a
/// real kernel WARN or oops through LKDTM, and the machine must abort the session with the right
/// fault. (First run builds the kernel: several minutes; cached afterwards.)
/// </summary>
[TestFixture, Category("Vm"), NonParallelizable]
public class LkdtmCrashVmTests
{
    const KernelArch Arch = KernelArch.X86_64;
    KernelDescriptor _kernel = null!;

    [OneTimeSetUp]
    public async Task Build() =>
        _kernel = await VmKernels.Store.BuildAsync(new KernelBuildRequest(Arch, DebianKernelSeries.V6_1, ["seccomp", "lkdtm"]));

    /// <summary>mount debugfs, open LKDTM's DIRECT file, write the crash type.</summary>
    static ProgramBuilder Provoke(string crashType)
    {
        var p = new ProgramBuilder();
        int debugfs = p.AddString("debugfs"), mountPoint = p.AddString("/sys/kernel/debug"),
            direct = p.AddString("/sys/kernel/debug/provoke-crash/DIRECT"), type = p.AddString(crashType);
        p.Root(b => b
            .Syscall(1, VmKernels.Nr(Arch, "mount"), Operand.Blob(debugfs), Operand.Blob(mountPoint), Operand.Blob(debugfs), Operand.Imm(0), Operand.Null)
            .Syscall(2, VmKernels.Nr(Arch, "openat"), Dest.Reg(0), Operand.Imm(-100), Operand.Blob(direct), Operand.Imm(1 /* O_WRONLY */))
            .Syscall(3, VmKernels.Nr(Arch, "write"), Operand.Reg(0), Operand.Blob(type), Operand.Imm(crashType.Length)));
        return p;
    }

    [Test]
    public async Task A_kernel_WARN_during_a_case_aborts_the_session_with_a_warning_fault()
    {
        await using var machine = await VmKernels.StartAgentAsync(_kernel);

        var e = Assert.ThrowsAsync<MachineFaultException>(() => VmKernels.RunOne(machine, Provoke("WARNING")));

        Assert.That(e!.Fault.Kind, Is.EqualTo(FaultKind.Warning), e.Fault.Summary);
        Assert.That(e.Fault.Summary, Does.Contain("WARNING: CPU: 0"));
        Assert.That(machine.Fault!.Kind, Is.EqualTo(FaultKind.Warning));
        Assert.That(machine.ConsoleText, Does.Contain("lkdtm"));
    }

    [Test]
    public async Task A_kernel_oops_during_a_case_is_an_oops_fault_with_the_report()
    {
        await using var machine = await VmKernels.StartAgentAsync(_kernel);

        var e = Assert.ThrowsAsync<MachineFaultException>(() => VmKernels.RunOne(machine, Provoke("EXCEPTION")));

        // The report opens with "BUG: kernel NULL pointer dereference" and goes on with "Oops:";
        // the session is aborted at the first line, the machine reports the worst it saw.
        Assert.That(e!.Fault.Kind, Is.AnyOf(FaultKind.Bug, FaultKind.Oops), e.Fault.Summary);
        await Task.Delay(1000);
        Assert.That(machine.Fault!.Kind, Is.EqualTo(FaultKind.Oops));
        Assert.That(machine.Fault.Excerpt, Does.Contain("lkdtm"));
    }
}
