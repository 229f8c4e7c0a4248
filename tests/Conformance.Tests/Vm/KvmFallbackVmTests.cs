using System.Text.Json;
using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Machines.Vm;

namespace Conformance.Tests.Vm;

/// <summary>
/// A host whose KVM passes the firmware probe but hangs kernels (this project's build machines do,
/// some of the time) must still boot: the machine gives KVM its short boot time, marks it broken
/// in the cache and boots under TCG. Where KVM really works, the boot simply stays on KVM.
/// </summary>
[TestFixture, Category("Vm"), NonParallelizable]
public class KvmFallbackVmTests
{
    string _cache = null!;

    [SetUp]
    public void MakeCache() => _cache = Directory.CreateTempSubdirectory("kvm-fallback-").FullName;

    [TearDown]
    public void RemoveCache() => Directory.Delete(_cache, recursive: true);

    [Test]
    public async Task A_machine_told_KVM_works_boots_the_agent_under_KVM_or_falls_back_to_TCG_and_says_so()
    {
        if (KernelArchNames.Host != KernelArch.X86_64 || !File.Exists("/dev/kvm"))
            Assert.Ignore("needs an x86_64 host with /dev/kvm");
        var kernel = await VmKernels.Debian61(KernelArch.X86_64);
        await AcceleratorProbe.RecordAsync(_cache, kvmWorks: true, "planted by the test", CancellationToken.None);
        var image = await VmKernels.AgentImage(KernelArch.X86_64);

        await using var machine = new QemuMachine(new QemuMachineOptions(kernel, image) { CacheRoot = _cache });
        await machine.StartAsync(CancellationToken.None);

        Assert.That(machine.Session!.Hello.Release, Is.EqualTo(kernel.Release));
        var verdict = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(Path.Combine(_cache, "qemu"), "kvm-probe-*.json").Single())).RootElement;
        if (machine.CommandLine!.Contains("-accel kvm"))
        {
            Assert.That(verdict.GetProperty("KvmWorks").GetBoolean(), Is.True, "KVM booted, so the verdict stands");
            Assert.That(machine.ConsoleText, Does.Not.Contain("booting again under TCG"));
        }
        else
        {
            Assert.That(machine.CommandLine, Does.Contain("-accel tcg"));
            Assert.That(machine.ConsoleText, Does.Contain("did not reach the agent under KVM").And.Contain("booting again under TCG"));
            Assert.That(verdict.GetProperty("KvmWorks").GetBoolean(), Is.False, "the hang was recorded");
            Assert.That(verdict.GetProperty("Detail").GetString(), Does.Contain(kernel.Release));
            Assert.That(machine.Fault, Is.Null, "the KVM attempt's timeout does not count against the TCG boot");
        }
    }
}
