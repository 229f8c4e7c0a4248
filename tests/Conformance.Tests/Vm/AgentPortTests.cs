using Conformance.Machines.Kernels;
using Conformance.Machines.Vm;

namespace Conformance.Tests.Vm;

/// <summary>Which kernels get the agent's virtio port, and what their image carries for it.</summary>
public class AgentPortTests
{
    string _dir = null!;

    [SetUp]
    public void Folder() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), $"agent-port-{Guid.NewGuid():N}"));

    [TearDown]
    public void Clean() => Directory.Delete(_dir, recursive: true);

    KernelDescriptor Kernel(string config, IReadOnlyList<string>? modules = null)
    {
        var path = Path.Combine(_dir, "config");
        File.WriteAllText(path, config);
        return new KernelDescriptor("6.1.0-test", KernelArch.X86_64, KernelOrigin.Debian, Path.Combine(_dir, "vmlinuz"), path, KernelConfigFacts.Unknown)
        {
            PortModules = modules ?? [],
        };
    }

    [Test]
    public void Built_in_drivers_need_no_modules() =>
        Assert.That(AgentPort.Modules(Kernel("CONFIG_VIRTIO_CONSOLE=y\nCONFIG_VIRTIO_PCI=y\n")), Is.Empty);

    [Test]
    public void Module_drivers_need_their_kept_modules()
    {
        var module = Path.Combine(_dir, "virtio_console.ko");
        File.WriteAllBytes(module, [0x7f, (byte)'E']);
        var config = "CONFIG_VIRTIO_CONSOLE=m\nCONFIG_VIRTIO_PCI=m\n";

        Assert.That(AgentPort.Modules(Kernel(config, [module])), Is.EqualTo(new[] { module }));
        Assert.That(AgentPort.Modules(Kernel(config)), Is.Null, "modules not kept: no port");
        Assert.That(AgentPort.ModulesNotKept(Kernel(config)), Is.True, "so the cache fetches the kernel again");
        Assert.That(AgentPort.Modules(Kernel(config, [Path.Combine(_dir, "gone.ko")])), Is.Null, "a kept module that is missing: no port");
    }

    [Test]
    public void No_driver_or_no_config_means_no_port()
    {
        Assert.That(AgentPort.Modules(Kernel("# CONFIG_VIRTIO_CONSOLE is not set\nCONFIG_VIRTIO_PCI=y\n")), Is.Null);
        var unknown = Kernel("") with { ConfigPath = null };
        Assert.That(AgentPort.Modules(unknown), Is.Null);
    }

    [Test]
    public void Kept_modules_come_out_of_the_package_in_load_order()
    {
        var unpacked = Path.Combine(_dir, "unpacked");
        var drivers = Path.Combine(unpacked, "lib", "modules", "6.1.0-test", "kernel", "drivers");
        foreach (var (dir, name) in new[] { ("char", "virtio_console"), ("virtio", "virtio_pci"), ("virtio", "virtio"), ("virtio", "virtio_ring"), ("virtio", "virtio_balloon") })
        {
            Directory.CreateDirectory(Path.Combine(drivers, dir));
            File.WriteAllText(Path.Combine(drivers, dir, name + ".ko"), name);
        }
        var kept = Path.Combine(_dir, "kept");

        var modules = AgentPort.KeepModules(unpacked, "6.1.0-test", kept);

        Assert.That(modules, Is.EqualTo(new[] { "modules/virtio_ring.ko", "modules/virtio.ko", "modules/virtio_pci.ko", "modules/virtio_console.ko" }),
            "each after what it needs; the transport's halves that are built in are skipped; nothing else is kept");
        Assert.That(File.ReadAllText(Path.Combine(kept, "modules", "virtio_ring.ko")), Is.EqualTo("virtio_ring"));
    }

    [Test]
    public void A_package_without_the_console_module_keeps_nothing()
    {
        var dir = Path.Combine(_dir, "unpacked", "lib", "modules", "6.12-test", "kernel", "drivers", "virtio");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "virtio_balloon.ko"), "x");

        Assert.That(AgentPort.KeepModules(Path.Combine(_dir, "unpacked"), "6.12-test", Path.Combine(_dir, "kept")), Is.Empty);
    }

    [Test]
    public void The_image_lists_its_modules_in_load_order()
    {
        var a = Path.Combine(_dir, "virtio_ring.ko");
        var b = Path.Combine(_dir, "virtio_console.ko");
        File.WriteAllText(a, "a");
        File.WriteAllText(b, "b");
        var init = Path.Combine(_dir, "init");
        File.WriteAllText(init, "#!");

        var cpio = System.Text.Encoding.ASCII.GetString(GuestImage.Layout(new GuestImageSpec(KernelArch.X86_64, init) { Modules = [a, b] }).ToArray());

        Assert.That(cpio, Does.Contain("modules/virtio_ring.ko").And.Contain("modules/virtio_console.ko").And.Contain("modules/order"));
        Assert.That(cpio, Does.Contain("virtio_ring.ko\nvirtio_console.ko\n"));
    }
}
