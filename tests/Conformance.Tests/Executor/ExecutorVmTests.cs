using Conformance.Executor;
using Conformance.Machines;
using Conformance.Machines.Kernels;
using Conformance.Machines.Protocol;
using Conformance.Tests.Vm;

namespace Conformance.Tests.Executor;

/// <summary>The executor on real QEMU guests: reuse, and a case that takes its machine down.</summary>
[TestFixture, Category("Vm"), NonParallelizable]
public class ExecutorVmTests
{
    const KernelArch Arch = KernelArch.X86_64;

    readonly List<QemuMachine> _machines = [];

    async Task<Func<IMachine>> Factory()
    {
        var kernel = await VmKernels.Debian61(Arch);
        var image = await VmKernels.AgentImage(Arch);
        return () =>
        {
            var m = new QemuMachine(new QemuMachineOptions(kernel, image) { CacheRoot = VmKernels.Store.CacheRoot });
            lock (_machines) _machines.Add(m);
            return m;
        };
    }

    static CaseRequest Getppid(uint caseId)
    {
        var p = new ProgramBuilder();
        p.Root(b => b.Syscall(1, VmKernels.Nr(Arch, "getppid")));
        return new CaseRequest(caseId, TimeSpan.FromSeconds(20), p.Build());
    }

    /// <summary>reboot(LINUX_REBOOT_CMD_RESTART) from the case root: the guest ends under the agent without QUIT.</summary>
    static CaseRequest Reboot(uint caseId)
    {
        var p = new ProgramBuilder();
        p.Root(b => b.Syscall(1, VmKernels.Nr(Arch, "reboot"), Operand.Imm(0xfee1dead), Operand.Imm(672274793), Operand.Imm(0x01234567)));
        return new CaseRequest(caseId, TimeSpan.FromSeconds(20), p.Build());
    }

    [Test]
    public async Task Work_runs_on_at_most_PoolSize_machines_which_are_reused()
    {
        await using var executor = new CaseExecutor(await Factory(), new ExecutorOptions { PoolSize = 2 });

        var results = await Task.WhenAll(Enumerable.Range(1, 5).Select(i => executor.SubmitAsync(Getppid((uint)i), CancellationToken.None)));

        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(ExecutionStatus.Completed));
        Assert.That(results.Select(r => r.Result!.Call(1).Ret), Is.All.EqualTo(1L), "the case root's parent is the agent, PID 1");
        Assert.That(executor.Booted, Is.LessThanOrEqualTo(2), "five pieces of work, at most two boots");
        Assert.That(results.Select(r => r.Machine!.Serial).Distinct().Count(), Is.EqualTo(executor.Booted));
        Assert.That(results.Select(r => r.Machine!.Features.Mode2), Is.All.True, "each machine was probed");
    }

    [Test]
    public async Task A_case_that_ends_the_guest_is_blamed_and_the_next_case_runs_on_a_fresh_machine()
    {
        await using var executor = new CaseExecutor(await Factory(), new ExecutorOptions { PoolSize = 1 });

        var results = new List<CaseExecution>();
        int? firstPid = null;
        await foreach (var r in executor.SubmitAsync([Getppid(1), Reboot(2), Getppid(3)], CancellationToken.None))
        {
            // A disposed machine no longer knows its process: note it while the first one runs.
            firstPid ??= _machines[0].ProcessId;
            results.Add(r);
        }

        Assert.That(results.Select(r => (r.Status, r.Machine!.Serial)), Is.EqualTo(new[]
        {
            (ExecutionStatus.Completed, 1), (ExecutionStatus.Faulted, 1), (ExecutionStatus.Completed, 2),
        }));
        Assert.That(results[1].Fault!.Kind, Is.AnyOf(FaultKind.UnexpectedExit, FaultKind.UnexpectedReboot), results[1].Fault!.Summary);
        Assert.That(results[2].Result!.Call(1).Ret, Is.EqualTo(1L));
        Assert.That(executor.Booted, Is.EqualTo(2));
        Assert.That(VmKernels.ProcessGone(firstPid!.Value), Is.True, "the retired machine's QEMU is gone");
    }
}
