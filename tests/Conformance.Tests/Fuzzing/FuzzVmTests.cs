using Conformance.Fuzzing;
using Conformance.Machines;
using Conformance.Machines.Kernels;
using Conformance.Tests.Vm;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Fuzzing;

/// <summary>A fixed-seed fuzz run against Debian's current 6.1 guests finds nothing, on both arches.</summary>
[TestFixture(KernelArch.X86_64), TestFixture(KernelArch.Aarch64), Category("Vm"), NonParallelizable]
public class FuzzVmTests(KernelArch arch)
{
    [Test]
    public async Task A_fixed_seed_run_on_the_Debian_6_1_guest_finds_nothing()
    {
        var kernel = await VmKernels.Debian61(arch);
        var image = await VmKernels.AgentImage(arch);
        var dir = Directory.CreateTempSubdirectory("fuzz-vm-").FullName;
        try
        {
            var options = new FuzzOptions { Mode = FuzzMode.Verdicts, Seed = 61, Iterations = 4, Duration = TimeSpan.FromMinutes(10), OutDir = dir };
            var campaign = new FuzzCampaign(() => new QemuMachine(new QemuMachineOptions(kernel, image) { CacheRoot = VmKernels.Store.CacheRoot }), options, NullLogger.Instance);
            var summary = await campaign.RunAsync(CancellationToken.None);
            TestContext.Out.WriteLine($"{kernel.Release}: {summary.Verdicts} verdicts in {summary.Seconds} s ({summary.VerdictsPerSecond}/s)");
            foreach (var f in Directory.GetDirectories(Path.Combine(dir, "findings")))
                TestContext.Out.WriteLine(File.ReadAllText(Path.Combine(f, "finding.json")));
            Assert.That(summary.Findings + summary.Duplicates, Is.Zero);
            Assert.That(summary.Stacks, Is.EqualTo(4L * 16), "every stack finished");
            Assert.That(summary.StoppedBecause, Is.EqualTo("iterations"));
            Assert.That(summary.JitToggled, Is.True, "Debian's cloud kernels let net.core.bpf_jit_enable be 0 or 1: batches ran under both");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>
/// Found by the fuzzer on Debian 6.1 arm64 (a FUZZ batch hung): arm64's do_signal reads x0 into an
/// int and treats -ERESTART* codes as restart requests, and after a TRAP x0 holds the rolled-back
/// first argument. The kernel wins: the model predicts it, and this holds the two together.
/// </summary>
[Category("Vm"), NonParallelizable]
public class ArmSignalRestartVmTests
{
    [Test]
    public async Task A_trapped_call_whose_first_argument_reads_as_a_restart_code_is_restarted_or_returns_EINTR()
    {
        var kernel = await VmKernels.Debian61(KernelArch.Aarch64);
        await using var machine = await VmKernels.StartAgentAsync(kernel);
        var arch = Conformance.Fuzzing.Verdicts.FuzzArch.For("aarch64");
        var stack = new Conformance.Fuzzing.Verdicts.FilterStack([Conformance.Model.Text.Assembler.Assemble("ret #TRAP(7)")]);
        ulong[] firstArgs = [0x5a5a, 0xfffffdff, 0x7ffffffffffffdff, 0xfffffffffffffdfe, 0xfffffe00, 0x12345678fffffdfc, 0xfffffdfd];
        var inputs = firstArgs.Select((a0, i) => new Conformance.Machines.Protocol.FuzzInput((uint)i, 300, [a0, 1, 2, 3, 4, 5], 0)).ToList();
        var p = new Conformance.Machines.Protocol.ProgramBuilder();
        int f = p.AddFilter(stack.Programs(arch)[0]);
        p.Root(b => b.Fuzz(1, Conformance.Machines.Protocol.FuzzFlags.Detail, arch.HarmlessNumbers, [0UL], arch.SlotIps,
            Conformance.Machines.Protocol.FuzzStack.Explicit([f], inputs)));
        var r = await VmKernels.RunOne(machine, p);
        Assert.That(r.TimedOut, Is.False, "the agent declines the restart instead of trapping for ever");
        var records = r.Of<Conformance.Machines.Protocol.FuzzInputObservation>().Select(o => o.Record).ToList();
        var setup = r.Of<Conformance.Machines.Protocol.FuzzSetupObservation>().Single();
        var oracle = new Conformance.Fuzzing.Verdicts.VerdictOracle(arch, new Conformance.Model.Task.KernelDescription(Conformance.Model.Seccomp.KernelProfiles.Linux6_1), prctl: false);
        var (_, thread) = oracle.Install(stack.Programs(arch), [0]);
        var vs = new Conformance.Fuzzing.Verdicts.VerdictSetup([.. setup.Slots.Select(s => s.Ip)], [.. setup.Slots.Select(s => s.Mapped)],
            arch.HarmlessNumbers.Select((n, i) => (n, setup.References[i])).ToDictionary(x => x.n, x => x.Item2));
        Assert.That(records, Has.Count.EqualTo(firstArgs.Length));
        for (int i = 0; i < records.Count; i++)
            Assert.That(records[i], Is.EqualTo(oracle.Expect(thread, inputs[i], vs)), $"first argument 0x{firstArgs[i]:x}: {records[i]}");
        Assert.That(records[1].Flags, Is.EqualTo(Conformance.Machines.Protocol.FuzzInputRecord.RestartFlag), "-ERESTARTNOINTR in the low word restarts");
        Assert.That(records[2].Flags, Is.EqualTo(Conformance.Machines.Protocol.FuzzInputRecord.RestartFlag), "only the low word counts");
        Assert.That(records[3].Value, Is.EqualTo(-4), "-ERESTARTNOHAND with a handler: -EINTR");
        Assert.That(records[0].Value, Is.EqualTo(0x5a5a), "any other value is the rolled-back argument");
    }
}

/// <summary>Scenario fuzzing in a guest: a fixed seed's generated cases pass on Debian's 6.1 kernels.</summary>
[TestFixture(KernelArch.X86_64), TestFixture(KernelArch.Aarch64), Category("Vm"), NonParallelizable]
public class ScenarioFuzzVmTests(KernelArch arch)
{
    [Test]
    public async Task A_fixed_seed_scenario_run_on_the_Debian_6_1_guest_finds_nothing()
    {
        var kernel = await VmKernels.Debian61(arch);
        var image = await VmKernels.AgentImage(arch);
        var dir = Directory.CreateTempSubdirectory("fuzz-vm-scenarios-").FullName;
        try
        {
            var options = new FuzzOptions { Mode = FuzzMode.Scenarios, Seed = 61, Iterations = 30, Duration = TimeSpan.FromMinutes(10), OutDir = dir };
            var campaign = new FuzzCampaign(() => new QemuMachine(new QemuMachineOptions(kernel, image) { CacheRoot = VmKernels.Store.CacheRoot }), options, NullLogger.Instance)
            {
                Scenarios = ScenarioSources.For(options),
            };
            var summary = await campaign.RunAsync(CancellationToken.None);
            TestContext.Out.WriteLine($"{kernel.Release}: {summary.Scenarios} scenarios in {summary.Seconds} s");
            foreach (var f in Directory.GetDirectories(Path.Combine(dir, "findings")))
                TestContext.Out.WriteLine(File.ReadAllText(Path.Combine(f, "finding.json")));
            Assert.That(summary.Findings + summary.Duplicates, Is.Zero);
            Assert.That(summary.Scenarios, Is.EqualTo(30));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
