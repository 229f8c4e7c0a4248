using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Conformance.Machines.Kernels;

namespace Conformance.Tests.Vm;

/// <summary>
/// Image header detection on byte arrays laid out as Documentation/arch/x86/boot.rst and
/// Documentation/arch/arm64/booting.rst describe, and on the real cached kernels when present.
/// </summary>
[TestFixture]
public class KernelImageTests
{
    /// <summary>A minimal bzImage: setup header magic, protocol 2.15, 64-bit entry flag, version string.</summary>
    internal static byte[] BzImage(string? versionString = "6.1.99-test (builder@host) #1 SMP", ushort protocol = 0x020f, ushort xloadflags = 1)
    {
        var data = new byte[0x1000];
        Encoding.ASCII.GetBytes("HdrS").CopyTo(data, 0x202);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(0x206), protocol);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(0x236), xloadflags);
        if (versionString is not null)
        {
            const int at = 0x800;
            Encoding.ASCII.GetBytes(versionString + "\0").CopyTo(data, at);
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(0x20e), at - 0x200);
        }
        return data;
    }

    /// <summary>A minimal arm64 Image: the magic at 0x38 and a banner somewhere in the body.</summary>
    internal static byte[] Arm64Image(string body = "\0Linux version %s (%s)\0Linux version 6.12.7-arm (b@h) (gcc) #1 SMP\0")
    {
        var data = new byte[0x2000];
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(0x38), 0x644d5241);
        Encoding.ASCII.GetBytes(body).CopyTo(data, 0x1000);
        return data;
    }

    static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(data);
        return output.ToArray();
    }

    [Test]
    public void BzImage_is_x86_64_and_its_release_comes_from_the_header_version_pointer()
    {
        var info = KernelImage.Inspect(BzImage(), "bz");

        Assert.That(info.Arch, Is.EqualTo(KernelArch.X86_64));
        Assert.That(info.Format, Is.EqualTo(KernelImageFormat.BzImage));
        Assert.That(info.Release, Is.EqualTo("6.1.99-test"));
    }

    [Test]
    public void BzImage_without_a_version_pointer_has_no_release() =>
        Assert.That(KernelImage.Inspect(BzImage(versionString: null), "bz").Release, Is.Null);

    [Test]
    public void A_32_bit_bzImage_is_refused_by_name()
    {
        var e = Assert.Throws<KernelImageException>(() => KernelImage.Inspect(BzImage(xloadflags: 0), "/k/bzImage-i386"));
        Assert.That(e!.Message, Does.Contain("/k/bzImage-i386").And.Contain("32-bit"));
    }

    [Test]
    public void A_boot_protocol_too_old_to_say_64_bit_is_refused() =>
        Assert.Throws<KernelImageException>(() => KernelImage.Inspect(BzImage(protocol: 0x020a), "old"));

    [Test]
    public void Arm64_Image_is_aarch64_and_its_release_skips_the_printf_format()
    {
        var info = KernelImage.Inspect(Arm64Image(), "Image");

        Assert.That(info.Arch, Is.EqualTo(KernelArch.Aarch64));
        Assert.That(info.Format, Is.EqualTo(KernelImageFormat.Arm64Image));
        Assert.That(info.Release, Is.EqualTo("6.12.7-arm"));
    }

    [Test]
    public void Gzipped_arm64_Image_is_looked_into()
    {
        var info = KernelImage.Inspect(Gzip(Arm64Image()), "Image.gz");

        Assert.That(info.Arch, Is.EqualTo(KernelArch.Aarch64));
        Assert.That(info.Format, Is.EqualTo(KernelImageFormat.GzipArm64Image));
        Assert.That(info.Release, Is.EqualTo("6.12.7-arm"));
    }

    [Test]
    public void Gzip_holding_something_else_is_refused_by_name()
    {
        var e = Assert.Throws<KernelImageException>(() => KernelImage.Inspect(Gzip(Encoding.ASCII.GetBytes("hello world")), "/tmp/thing.gz"));
        Assert.That(e!.Message, Does.Contain("/tmp/thing.gz"));
    }

    [Test]
    public void Corrupt_gzip_is_refused_by_name()
    {
        var bytes = Gzip(Arm64Image());
        bytes.AsSpan(12, 40).Fill(0xAA);
        var e = Assert.Throws<KernelImageException>(() => KernelImage.Inspect(bytes, "/tmp/broken.gz"));
        Assert.That(e!.Message, Does.Contain("/tmp/broken.gz"));
    }

    [TestCase(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0 }, TestName = "An ELF vmlinux is not a bootable image here")]
    [TestCase(new byte[] { 0, 0, 0, 0 }, TestName = "A tiny file is not a kernel")]
    public void Unknown_formats_are_refused_with_the_file_name(byte[] prefix)
    {
        var data = new byte[Math.Max(prefix.Length, 16)];
        prefix.CopyTo(data, 0);
        var e = Assert.Throws<KernelImageException>(() => KernelImage.Inspect(data, "/boot/mystery"));
        Assert.That(e!.Message, Does.Contain("/boot/mystery").And.Contain("not a kernel image"));
    }

    [Test]
    public void A_missing_file_is_refused_by_name()
    {
        var e = Assert.Throws<KernelImageException>(() => KernelImage.Inspect("/nonexistent/vmlinuz"));
        Assert.That(e!.Message, Does.Contain("/nonexistent/vmlinuz"));
    }

    [Test]
    public void Cached_kernels_headers_agree_with_what_the_store_recorded()
    {
        var kernels = new KernelStore().List().Where(k => k.Origin != KernelOrigin.User).ToList();
        if (kernels.Count == 0)
            Assert.Ignore("no kernels cached; run `conformance kernels fetch`");
        foreach (var k in kernels)
        {
            var info = KernelImage.Inspect(k.ImagePath);
            Assert.That(info.Arch, Is.EqualTo(k.Arch), k.Name);
            Assert.That(info.Release, Is.EqualTo(k.Release), k.Name);
        }
    }
}
