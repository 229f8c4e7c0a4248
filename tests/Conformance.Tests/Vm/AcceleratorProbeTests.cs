using System.Text.Json;
using Conformance.Machines.Kernels;
using Conformance.Machines.Vm;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Vm;

[TestFixture]
public class AcceleratorProbeTests
{
    string _cache = null!;

    [SetUp]
    public void MakeCache() => _cache = Directory.CreateTempSubdirectory("accel-test-").FullName;

    [TearDown]
    public void RemoveCache() => Directory.Delete(_cache, recursive: true);

    static Task<QemuAccel> Resolve(KernelArch arch, QemuAccel requested, string _cache) =>
        AcceleratorProbe.ResolveAsync(arch, requested, _cache, NullLogger.Instance, CancellationToken.None);

    [Test]
    public async Task An_explicit_choice_is_kept_and_a_foreign_guest_gets_TCG_without_a_probe()
    {
        Assert.That(await Resolve(KernelArch.X86_64, QemuAccel.Tcg, _cache), Is.EqualTo(QemuAccel.Tcg));
        Assert.That(await Resolve(KernelArch.X86_64, QemuAccel.Kvm, _cache), Is.EqualTo(QemuAccel.Kvm));
        var foreign = KernelArchNames.Host == KernelArch.X86_64 ? KernelArch.Aarch64 : KernelArch.X86_64;
        Assert.That(await Resolve(foreign, QemuAccel.Auto, _cache), Is.EqualTo(QemuAccel.Tcg));
        Assert.That(Directory.Exists(Path.Combine(_cache, "qemu")), Is.False, "nothing was probed");
    }

    [Test, Category("Vm")]
    public async Task The_probe_verdict_is_cached_and_reused()
    {
        if (KernelArchNames.Host != KernelArch.X86_64 || !File.Exists("/dev/kvm"))
            Assert.Ignore("the KVM probe runs only on x86_64 hosts with /dev/kvm");

        var first = await Resolve(KernelArch.X86_64, QemuAccel.Auto, _cache);
        var file = Directory.GetFiles(Path.Combine(_cache, "qemu"), "kvm-probe-*.json").Single();
        var verdict = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
        var second = await Resolve(KernelArch.X86_64, QemuAccel.Auto, _cache);

        Assert.That(first, Is.EqualTo(verdict.GetProperty("KvmWorks").GetBoolean() ? QemuAccel.Kvm : QemuAccel.Tcg));
        Assert.That(verdict.GetProperty("Detail").GetString(), Is.Not.Empty);
        Assert.That(second, Is.EqualTo(first));
        Assert.That(File.GetLastWriteTimeUtc(file), Is.EqualTo(File.GetLastWriteTimeUtc(Directory.GetFiles(Path.Combine(_cache, "qemu"), "kvm-probe-*.json").Single())));
    }

    [Test, Category("Vm")]
    public async Task A_cached_verdict_decides_without_running_QEMU()
    {
        if (KernelArchNames.Host != KernelArch.X86_64 || !File.Exists("/dev/kvm"))
            Assert.Ignore("the KVM probe runs only on x86_64 hosts with /dev/kvm");
        // Learn this host's key from a real probe in a scratch cache, then plant the opposite verdict.
        var scratch = Path.Combine(_cache, "scratch");
        var real = await Resolve(KernelArch.X86_64, QemuAccel.Auto, scratch);
        var probeFile = Directory.GetFiles(Path.Combine(scratch, "qemu"), "kvm-probe-*.json").Single();
        var key = JsonDocument.Parse(File.ReadAllText(probeFile)).RootElement.GetProperty("Key").GetString();
        Directory.CreateDirectory(Path.Combine(_cache, "qemu"));
        File.WriteAllText(Path.Combine(_cache, "qemu", Path.GetFileName(probeFile)),
            JsonSerializer.Serialize(new { KvmWorks = real == QemuAccel.Tcg, Detail = "planted", Key = key }));

        var planted = await Resolve(KernelArch.X86_64, QemuAccel.Auto, _cache);

        Assert.That(planted, Is.Not.EqualTo(real), "the cached verdict, not a new probe, decided");
    }
}
