using System.Diagnostics;
using System.Text;
using Conformance.Machines.Vm;

namespace Conformance.Tests.Vm;

/// <summary>The cpio writer's output, read back by GNU cpio (the format's reference reader).</summary>
[TestFixture]
public class InitramfsWriterTests
{
    string _dir = null!;

    [SetUp]
    public void MakeTempDir() => _dir = Directory.CreateTempSubdirectory("initramfs-test-").FullName;

    [TearDown]
    public void RemoveTempDir() => Directory.Delete(_dir, recursive: true);

    static InitramfsWriter Sample() => new InitramfsWriter()
        .AddDirectory("dev")
        .AddDirectory("tmp", Convert.ToInt32("1777", 8))
        .AddCharDevice("dev/console", 5, 1)
        .AddFile("init", Encoding.ASCII.GetBytes("#!/bin/true\nexec agent\n"), Convert.ToInt32("755", 8))
        .AddFile("etc/inittab", Encoding.ASCII.GetBytes("::respawn:-/bin/sh\n"), Convert.ToInt32("644", 8))
        .AddFile("empty", [], Convert.ToInt32("600", 8))
        .AddSymlink("bin/sh", "busybox");

    static (string Stdout, string Stderr) Cpio(string workingDir, string args, byte[] input)
    {
        var start = new ProcessStartInfo("cpio", args)
        {
            WorkingDirectory = workingDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.BaseStream.Write(input);
        p.StandardInput.Close();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, $"cpio {args}: {stderr.Result}");
        return (stdout.Result, stderr.Result);
    }

    [Test]
    public void Cpio_lists_every_entry_and_the_implied_parent_directories_in_order()
    {
        var (listing, _) = Cpio(_dir, "-t", Sample().ToArray());

        Assert.That(listing.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "bin", "bin/sh", "dev", "dev/console", "empty", "etc", "etc/inittab", "init", "tmp",
        }));
    }

    [Test]
    public void Cpio_sees_the_console_as_character_device_5_1()
    {
        var (listing, _) = Cpio(_dir, "-tv", Sample().ToArray());

        var console = listing.Split('\n').Single(l => l.EndsWith(" dev/console"));
        Assert.That(console, Does.StartWith("crw-------"));
        Assert.That(console, Does.Match(@"\b5,\s+1\b"));
    }

    [Test]
    public void Extracted_files_have_the_modes_sizes_contents_and_link_targets_written()
    {
        // The device node is left out so that extraction does not need root (the listing test checks it).
        Cpio(_dir, "-i --make-directories --no-absolute-filenames --preserve-modification-time --nonmatching dev/console", Sample().ToArray());

        Assert.That(File.ReadAllText(Path.Combine(_dir, "init")), Is.EqualTo("#!/bin/true\nexec agent\n"));
        Assert.That(File.GetUnixFileMode(Path.Combine(_dir, "init")), Is.EqualTo((UnixFileMode)Convert.ToInt32("755", 8)));
        Assert.That(File.GetUnixFileMode(Path.Combine(_dir, "etc/inittab")), Is.EqualTo((UnixFileMode)Convert.ToInt32("644", 8)));
        Assert.That(new FileInfo(Path.Combine(_dir, "empty")).Length, Is.Zero);
        Assert.That(File.GetUnixFileMode(Path.Combine(_dir, "empty")), Is.EqualTo((UnixFileMode)Convert.ToInt32("600", 8)));
        Assert.That(File.GetUnixFileMode(Path.Combine(_dir, "tmp")) & (UnixFileMode)Convert.ToInt32("7777", 8),
            Is.EqualTo((UnixFileMode)Convert.ToInt32("1777", 8)), "sticky, world-writable /tmp");
        Assert.That(new FileInfo(Path.Combine(_dir, "bin/sh")).LinkTarget, Is.EqualTo("busybox"));
        Assert.That(File.GetLastWriteTimeUtc(Path.Combine(_dir, "init")), Is.EqualTo(DateTime.UnixEpoch), "fixed mtime");
    }

    [Test]
    public void Large_binary_contents_survive_padding()
    {
        var data = new byte[100_003];
        new Random(7).NextBytes(data);
        var image = new InitramfsWriter().AddFile("blob", data).AddFile("after", [1, 2, 3]);

        Cpio(_dir, "-i --make-directories", image.ToArray());

        Assert.That(File.ReadAllBytes(Path.Combine(_dir, "blob")), Is.EqualTo(data));
        Assert.That(File.ReadAllBytes(Path.Combine(_dir, "after")), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void Output_depends_on_contents_only_not_on_the_order_of_additions()
    {
        var a = new InitramfsWriter().AddFile("init", [1]).AddDirectory("dev").AddCharDevice("dev/console", 5, 1).ToArray();
        var b = new InitramfsWriter().AddCharDevice("dev/console", 5, 1).AddDirectory("dev").AddFile("init", [1]).ToArray();
        var c = new InitramfsWriter().AddCharDevice("dev/console", 5, 1).AddDirectory("dev").AddFile("init", [2]).ToArray();

        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
    }

    [Test]
    public void Archive_is_newc_aligned_and_ends_with_the_trailer()
    {
        var bytes = Sample().ToArray();

        Assert.That(Encoding.ASCII.GetString(bytes, 0, 6), Is.EqualTo("070701"));
        Assert.That(bytes.Length % 4, Is.Zero);
        Assert.That(Encoding.ASCII.GetString(bytes), Does.Contain("TRAILER!!!"));
    }

    [Test]
    public void Leading_slash_is_accepted_as_relative()
    {
        var (listing, _) = Cpio(_dir, "-t", new InitramfsWriter().AddFile("/abs/ok", [0]).ToArray());
        Assert.That(listing, Does.Contain("abs/ok"));
        Assert.That(listing, Does.Not.Contain("/abs"));
    }

    [TestCase("")]
    [TestCase("a/../b")]
    [TestCase("a//b")]
    [TestCase("./init")]
    public void Paths_that_are_not_plain_are_rejected(string path) =>
        Assert.Throws<ArgumentException>(() => new InitramfsWriter().AddFile(path, [0]));

    [Test]
    public void The_same_path_twice_is_rejected() =>
        Assert.Throws<ArgumentException>(() => new InitramfsWriter().AddFile("init", [0]).AddDirectory("init"));

    [Test]
    public void Permissions_beyond_07777_are_rejected() =>
        Assert.Throws<ArgumentException>(() => new InitramfsWriter().AddFile("init", [0], 0x8000 | 0x1ed));
}
