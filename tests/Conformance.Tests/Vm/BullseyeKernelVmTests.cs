using Conformance.Executor.Features;
using Conformance.Machines;
using Conformance.Machines.Kernels;
using Conformance.Model.Seccomp;

namespace Conformance.Tests.Vm;

/// <summary>
/// Debian bullseye's 5.10 cloud kernels (fetched with bullseye's private apt state) boot with the
/// agent, and `detect`'s probe finds filter mode on them: one boot per arch.
/// </summary>
[TestFixture(KernelArch.X86_64), TestFixture(KernelArch.Aarch64), Category("Vm"), NonParallelizable]
public class BullseyeKernelVmTests(KernelArch arch)
{
    [Test]
    public async Task Detect_finds_filter_mode_on_the_booted_5_10_kernel()
    {
        var kernel = await VmKernels.Debian510(arch);
        // The detector boots the machine itself through an executor, as `conformance detect` does.
        var options = new QemuMachineOptions(kernel, await VmKernels.AgentImage(arch)) { CacheRoot = VmKernels.Store.CacheRoot };
        QemuMachine? machine = null;
        var detection = (await KernelDetector.DetectAsync(() => machine = new QemuMachine(options), CancellationToken.None)).Detection;

        Assert.That(kernel.Series, Is.EqualTo("5.10"));
        Assert.That(kernel.Package, Does.StartWith("linux-image-5.10.0-").And.Contain($"-cloud-{arch.DebianName()} 5.10."));
        Assert.That(detection.Release, Is.EqualTo(kernel.Release));
        Assert.That(KernelProfiles.ForRelease(detection.Release).Name, Is.EqualTo("linux-5.10"), "the model judges it with its 5.10 profile");
        Assert.That(detection.Arch, Is.EqualTo(arch.Name()));
        Assert.That(detection.Mode2, Is.True);
        Assert.That(detection.PrctlNull, Is.EqualTo("EFAULT"));
        Assert.That(detection.SeccompSyscall, Is.True);
        Assert.That(kernel.Facts["SECCOMP_FILTER"], Is.EqualTo(ConfigState.Yes), "Debian's config says so too");
        Assert.That(machine!.Fault, Is.Null);
    }
}
