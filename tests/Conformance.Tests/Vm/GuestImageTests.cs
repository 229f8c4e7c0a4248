using System.Diagnostics;
using System.IO.Compression;
using Conformance.Machines.Kernels;
using Conformance.Machines.Vm;

namespace Conformance.Tests.Vm;

[TestFixture]
public class GuestImageTests
{
    string _dir = null!;

    [SetUp]
    public void MakeTempDir() => _dir = Directory.CreateTempSubdirectory("guestimage-test-").FullName;

    [TearDown]
    public void RemoveTempDir() => Directory.Delete(_dir, recursive: true);

    string WriteFile(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    static string[] List(string gzPath)
    {
        using var gz = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress);
        var cpio = new MemoryStream();
        gz.CopyTo(cpio);
        var p = Process.Start(new ProcessStartInfo("cpio", "-t") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEndAsync();
        p.StandardInput.BaseStream.Write(cpio.ToArray());
        p.StandardInput.Close();
        p.WaitForExit();
        return output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Test]
    public void Agent_image_has_init_console_node_and_mount_points_and_the_helper_when_given()
    {
        var init = WriteFile("agent", "AGENT");
        var helper = WriteFile("agent32", "HELPER");

        var path = GuestImage.Build(new GuestImageSpec(KernelArch.X86_64, init) { CompatHelperPath = helper }, Path.Combine(_dir, "cache"));

        Assert.That(List(path), Is.EquivalentTo(new[] { "agent32", "dev", "dev/console", "init", "proc", "sys", "tmp" }));
    }

    [Test]
    public void Shell_image_adds_busybox_its_init_and_an_inittab_for_the_arch_serial_line()
    {
        var init = WriteFile("agent", "AGENT");
        var busybox = WriteFile("busybox", "BUSYBOX");

        var layout = GuestImage.Layout(new GuestImageSpec(KernelArch.Aarch64, init) { BusyboxPath = busybox });

        Assert.That(layout.Paths, Is.SupersetOf(new[] { "bin/busybox", "bin/sh", "sbin/init", "etc/inittab", "init" }));
        Assert.That(GuestImage.ShellInit, Is.EqualTo("/sbin/init"));
        var extracted = Path.Combine(_dir, "x");
        Directory.CreateDirectory(extracted);
        var p = Process.Start(new ProcessStartInfo("cpio", "-i --make-directories") { WorkingDirectory = extracted, RedirectStandardInput = true, RedirectStandardError = true })!;
        p.StandardInput.BaseStream.Write(layout.ToArray());
        p.StandardInput.Close();
        p.WaitForExit();
        Assert.That(File.ReadAllText(Path.Combine(extracted, "etc/inittab")), Does.Contain("ttyAMA0::respawn:-/bin/sh"));
    }

    [Test]
    public void Equal_contents_reuse_one_cached_file_and_different_contents_get_another()
    {
        var cache = Path.Combine(_dir, "cache");
        var a = GuestImage.Build(new GuestImageSpec(KernelArch.X86_64, WriteFile("a", "ONE")), cache);
        var stamp = File.GetLastWriteTimeUtc(a);
        var again = GuestImage.Build(new GuestImageSpec(KernelArch.X86_64, WriteFile("b", "ONE")), cache);
        var other = GuestImage.Build(new GuestImageSpec(KernelArch.X86_64, WriteFile("c", "TWO")), cache);

        Assert.That(again, Is.EqualTo(a));
        Assert.That(File.GetLastWriteTimeUtc(again), Is.EqualTo(stamp), "not rewritten");
        Assert.That(other, Is.Not.EqualTo(a));
        Assert.That(Directory.GetFiles(Path.Combine(cache, "initramfs")), Has.Length.EqualTo(2));
    }

    [Test]
    public void Missing_init_binary_is_an_error_naming_the_file()
    {
        var missing = Path.Combine(_dir, "no-such-agent");
        var e = Assert.Throws<IOException>(() => GuestImage.Layout(new GuestImageSpec(KernelArch.X86_64, missing)));
        Assert.That(e!.Message, Does.Contain(missing));
    }
}
