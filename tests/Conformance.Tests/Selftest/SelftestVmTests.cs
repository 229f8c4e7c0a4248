using Conformance.Machines.Kernels;
using Conformance.Benchmarks.Selftest;
using Conformance.Machines.Vm;
using Conformance.Tests.Vm;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Selftest;

/// <summary>
/// The benchmark's baseline for real: the kernel's seccomp_bpf built from Debian's linux-source and
/// run by bare-init on Debian's 6.1 kernel, in the harness's QEMU setup.
/// </summary>
[TestFixture(KernelArch.X86_64), TestFixture(KernelArch.Aarch64), Category("Vm"), NonParallelizable]
public class SelftestVmTests(KernelArch arch)
{
    [Test]
    public async Task The_selftest_runs_all_95_instances_and_passes_on_Debian_6_1()
    {
        var kernel = await VmKernels.Debian61(arch);
        var selftest = await SeccompSelftestBinary.BuildAsync(DebianKernelSeries.V6_1, arch, VmKernels.Store.CacheRoot, NullLogger.Instance);
        var image = SelftestBoot.BuildImage(arch, await BareInitBinary.BuildAsync(arch), selftest, VmKernels.Store.CacheRoot);

        var run = await SelftestBoot.RunAsync(kernel, image, QemuAccel.Tcg, NullLogger.Instance);

        Assert.That(run.Run.End, Is.EqualTo(ProgramEnd.Exit), run.ConsoleText);
        Assert.That(run.Report.Fail, Is.Zero, string.Join(", ", run.Report.Results.Where(r => r.Status != KselftestStatus.Pass).Select(r => r.Name)));
        Assert.That(run.Run.Code, Is.Zero, "kselftest exits 0 only when every test passed or skipped");
        Assert.That(run.Report.Plan, Is.EqualTo(95));
        Assert.That(run.Report.Complete, Is.True);
        Assert.That(run.Fault, Is.Null);
        Assert.That(run.TimeToResult, Is.GreaterThan(run.Run.Elapsed), "QEMU start to the result includes the boot");
    }

    [Test]
    public async Task Bare_init_reports_a_program_that_cannot_be_executed()
    {
        var kernel = await VmKernels.Debian61(arch);
        var spec = new QemuLaunchSpec(arch, kernel.ImagePath, await VmKernels.BareInitImage(arch))
        {
            InitArgs = ["run", "60", "/no/such/program"],
        };

        var boot = await MarkerBoot.RunAsync(spec, BareInitRun.Marker, TimeSpan.FromSeconds(180), NullLogger.Instance);

        Assert.That(boot.MarkerLine, Is.Not.Null, boot.ConsoleText);
        Assert.That(BareInitRun.Parse(boot.MarkerLine!), Has.Property(nameof(BareInitRun.End)).EqualTo(ProgramEnd.Exit)
            .And.Property(nameof(BareInitRun.Code)).EqualTo(127));
        Assert.That(boot.ConsoleText, Does.Contain("bare-init: cannot execute /no/such/program"));
        Assert.That(boot.Fault, Is.Null);
    }
}
