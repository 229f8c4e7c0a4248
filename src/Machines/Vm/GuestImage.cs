using System.IO.Compression;
using System.Security.Cryptography;
using Conformance.Machines.Kernels;

namespace Conformance.Machines.Vm;

/// <summary>
/// What goes into a guest's initramfs: the init binary (the agent, or the bare init for the boot
/// benchmark), optionally the 32-bit compat helper and, for `run-vm.sh --shell`, a static busybox.
/// </summary>
public sealed record GuestImageSpec(KernelArch Arch, string InitPath)
{
    /// <summary>The compat helper (i386 on x86_64, armhf on aarch64), installed as /agent32.</summary>
    public string? CompatHelperPath { get; init; }

    /// <summary>A static busybox for an interactive shell: /bin/busybox, /bin/sh and busybox init as /sbin/init.</summary>
    public string? BusyboxPath { get; init; }

    /// <summary>Kernel modules the agent loads before it looks for its virtio port: /modules/NAME, listed in load order in /modules/order.</summary>
    public IReadOnlyList<string> Modules { get; init; } = [];
}

/// <summary>
/// Lays out and writes guest initramfs images. Images are cached by the hash of their (deterministic)
/// cpio bytes, so rebuilding an unchanged image costs one hash and no disk write.
/// </summary>
public static class GuestImage
{
    /// <summary>The init path for --shell images: busybox init, which reads /etc/inittab.</summary>
    public const string ShellInit = "/sbin/init";

    public static InitramfsWriter Layout(GuestImageSpec spec)
    {
        var image = new InitramfsWriter()
            .AddDirectory("dev")
            .AddDirectory("proc")
            .AddDirectory("sys")
            .AddDirectory("tmp", 0x3ff /* 01777 */)
            // The kernel opens /dev/console for init before anything mounts devtmpfs over /dev;
            // without this node init starts with no stdin/stdout/stderr and the agent is mute.
            .AddCharDevice("dev/console", 5, 1)
            .AddFile("init", ReadBinary(spec.InitPath, "init"));
        if (spec.CompatHelperPath is not null)
            image.AddFile("agent32", ReadBinary(spec.CompatHelperPath, "compat helper"));
        if (spec.Modules.Count > 0)
        {
            image.AddDirectory("modules");
            foreach (var module in spec.Modules)
                image.AddFile("modules/" + Path.GetFileName(module), ReadBinary(module, "kernel module"), 0x1a4 /* 0644 */);
            image.AddFile("modules/order", System.Text.Encoding.ASCII.GetBytes(string.Concat(spec.Modules.Select(m => Path.GetFileName(m) + "\n"))), 0x1a4);
        }
        if (spec.BusyboxPath is not null)
        {
            image.AddFile("bin/busybox", ReadBinary(spec.BusyboxPath, "busybox"))
                .AddSymlink("bin/sh", "busybox")
                .AddSymlink("sbin/init", "../bin/busybox")
                .AddDirectory("usr/bin")
                .AddDirectory("usr/sbin")
                .AddFile("etc/inittab", System.Text.Encoding.ASCII.GetBytes(ShellInittab(spec.Arch)), 0x1a4 /* 0644 */);
        }
        return image;
    }

    /// <summary>
    /// busybox init's table for --shell: mount what the agent would mount, install the applet links,
    /// and keep a login-less shell on the serial line (naming the tty gives the shell job control).
    /// </summary>
    static string ShellInittab(KernelArch arch)
    {
        var tty = arch == KernelArch.X86_64 ? "ttyS0" : "ttyAMA0";
        return $"""
            ::sysinit:/bin/busybox mount -t proc proc /proc
            ::sysinit:/bin/busybox mount -t sysfs sysfs /sys
            ::sysinit:/bin/busybox mount -t devtmpfs devtmpfs /dev
            ::sysinit:/bin/busybox mount -t tmpfs tmpfs /tmp
            ::sysinit:/bin/busybox --install -s
            ::sysinit:/bin/busybox echo "conformance shell: /init is the agent, /agent32 the compat helper (if any); 'reboot -f' ends QEMU"
            {tty}::respawn:-/bin/sh
            ::ctrlaltdel:/bin/busybox reboot -f

            """;
    }

    /// <summary>Writes the image as gzip-compressed cpio under &lt;cacheRoot&gt;/initramfs and returns its path.</summary>
    public static string WriteCached(InitramfsWriter image, string cacheRoot)
    {
        var cpio = image.ToArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(cpio));
        var directory = Path.Combine(cacheRoot, "initramfs");
        var path = Path.Combine(directory, hash[..24] + ".cpio.gz");
        if (File.Exists(path))
            return path;
        Directory.CreateDirectory(directory);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        using (var file = File.Create(temp))
        using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
            gzip.Write(cpio);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    public static string Build(GuestImageSpec spec, string cacheRoot) => WriteCached(Layout(spec), cacheRoot);

    static byte[] ReadBinary(string path, string role)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{path}: cannot read the guest's {role}: {e.Message}", e);
        }
    }
}
