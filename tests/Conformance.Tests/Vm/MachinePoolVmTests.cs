using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Machines.Protocol;

namespace Conformance.Tests.Vm;

[TestFixture, Category("Vm"), NonParallelizable]
public class MachinePoolVmTests
{
    const KernelArch Arch = KernelArch.X86_64;

    static async Task<Func<IMachine>> Factory()
    {
        var kernel = await VmKernels.Debian61(Arch);
        var image = await VmKernels.AgentImage(Arch);
        return () => new QemuMachine(new QemuMachineOptions(kernel, image) { CacheRoot = VmKernels.Store.CacheRoot });
    }

    static async Task<long> Getppid(AgentSession session, uint caseId)
    {
        var p = new ProgramBuilder();
        p.Root(b => b.Syscall(1, VmKernels.Nr(Arch, "getppid")));
        await foreach (var r in session.RunAsync([new CaseRequest(caseId, TimeSpan.FromSeconds(20), p.Build())], CancellationToken.None))
            return r.Call(1).Ret;
        throw new InvalidOperationException("no result");
    }

    [Test]
    public async Task Work_runs_on_at_most_Size_machines_which_are_reused()
    {
        await using var pool = new MachinePool(await Factory(), size: 2);
        var inUse = 0;
        var maxInUse = 0;
        var machines = new HashSet<string>();

        var results = await Task.WhenAll(Enumerable.Range(1, 5).Select(i => pool.RunAsync(async (m, s, _) =>
        {
            var now = Interlocked.Increment(ref inUse);
            lock (machines)
            {
                maxInUse = Math.Max(maxInUse, now);
                machines.Add(((QemuMachine)m).ProcessId!.Value.ToString());
            }
            var ppid = await Getppid(s, (uint)i);
            Interlocked.Decrement(ref inUse);
            return ppid;
        })));

        Assert.That(results, Is.All.EqualTo(1L));
        Assert.That(maxInUse, Is.LessThanOrEqualTo(2));
        Assert.That(pool.Booted, Is.LessThanOrEqualTo(2), "five pieces of work, at most two boots");
        Assert.That(machines, Has.Count.EqualTo(pool.Booted));
    }

    [Test]
    public async Task A_machine_that_faulted_is_retired_and_the_next_work_gets_a_fresh_one()
    {
        await using var pool = new MachinePool(await Factory(), size: 1);
        int? firstPid = null;

        var e = Assert.ThrowsAsync<MachineFaultException>(() => pool.RunAsync<long>((m, s, _) =>
        {
            firstPid = ((QemuMachine)m).ProcessId;
            // What the console monitor does on a crash: abort the session with the fault.
            s.Abort(new MachineFault(FaultKind.Oops, "simulated by the test", ""));
            return Getppid(s, 1);
        }));
        Assert.That(e!.Fault.Kind, Is.EqualTo(FaultKind.Oops));

        var second = await pool.RunAsync(async (m, s, _) => (((QemuMachine)m).ProcessId, await Getppid(s, 2)));

        Assert.That(pool.Booted, Is.EqualTo(2));
        Assert.That(second.ProcessId, Is.Not.EqualTo(firstPid));
        Assert.That(second.Item2, Is.EqualTo(1L));
        Assert.That(VmKernels.ProcessGone(firstPid!.Value), Is.True, "the retired machine's QEMU was killed");
    }
}
