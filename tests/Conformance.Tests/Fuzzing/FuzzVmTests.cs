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
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
