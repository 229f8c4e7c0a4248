using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Conformance.Machines.Kernels;

public enum KernelImageFormat
{
    /// <summary>x86 boot protocol image ("HdrS" at 0x202) with a 64-bit entry point.</summary>
    BzImage,
    /// <summary>arm64 Image (magic "ARM\x64" at 0x38), uncompressed.</summary>
    Arm64Image,
    /// <summary>A gzip stream holding an arm64 Image (what `make Image.gz` produces).</summary>
    GzipArm64Image,
}

/// <summary>Thrown when a file is not a kernel image QEMU can boot; the message names the file.</summary>
public sealed class KernelImageException(string message) : Exception(message);

/// <summary>What a kernel image's header says: its architecture, format and (when it says) its release.</summary>
public sealed record KernelImageInfo(string Path, KernelArch Arch, KernelImageFormat Format, string? Release);

/// <summary>
/// Reads kernel image headers (Documentation/arch/x86/boot.rst and arm64/booting.rst) so a user's
/// --kernel can be booted with the right QEMU without being told its architecture.
/// </summary>
public static class KernelImage
{
    const int BzSetupHeaderMagicOffset = 0x202;      // "HdrS"
    const int BzProtocolVersionOffset = 0x206;       // u16, e.g. 0x020f
    const int BzKernelVersionOffset = 0x20e;         // u16 pointer to a version string, minus 0x200
    const int BzXLoadFlagsOffset = 0x236;            // u16, protocol >= 2.12
    const ushort XlfKernel64 = 1;                    // has the 64-bit entry point
    const int Arm64MagicOffset = 0x38;               // u32 0x644d5241, "ARM\x64"
    const uint Arm64Magic = 0x644d5241;
    const long MaxDecompressedBytes = 512L << 20;

    public static KernelImageInfo Inspect(string path)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KernelImageException($"{path}: cannot read kernel image: {e.Message}");
        }
        return Inspect(data, path);
    }

    /// <summary>Inspects an image already in memory; <paramref name="path"/> is only used in messages.</summary>
    public static KernelImageInfo Inspect(ReadOnlySpan<byte> data, string path)
    {
        if (IsGzip(data))
        {
            var inner = Gunzip(data, path);
            var info = InspectRaw(inner, path);
            if (info is null || info.Format != KernelImageFormat.Arm64Image)
                throw new KernelImageException($"{path}: a gzip file, but what it holds is not an arm64 kernel Image");
            return info with { Format = KernelImageFormat.GzipArm64Image };
        }
        return InspectRaw(data, path) ?? throw new KernelImageException(
            $"{path}: not a kernel image the harness can boot (expected an x86 bzImage with 'HdrS' at 0x202, "
            + "an arm64 Image with 'ARM\\x64' at 0x38, or a gzip-compressed arm64 Image)");
    }

    public static bool IsGzip(ReadOnlySpan<byte> data) => data.Length >= 2 && data[0] == 0x1f && data[1] == 0x8b;

    /// <summary>Decompresses a gzip-compressed image (QEMU 7.2 boots those, but each boot would pay for it).</summary>
    public static byte[] Gunzip(ReadOnlySpan<byte> data, string path)
    {
        try
        {
            using var input = new GZipStream(new MemoryStream(data.ToArray()), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[1 << 16];
            int n;
            while ((n = input.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, n);
                if (output.Length > MaxDecompressedBytes)
                    throw new KernelImageException($"{path}: decompresses to more than {MaxDecompressedBytes >> 20} MiB; not a kernel image");
            }
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new KernelImageException($"{path}: corrupt gzip data: {e.Message}");
        }
    }

    static KernelImageInfo? InspectRaw(ReadOnlySpan<byte> data, string path)
    {
        if (data.Length >= BzSetupHeaderMagicOffset + 4 && data.Slice(BzSetupHeaderMagicOffset, 4).SequenceEqual("HdrS"u8))
        {
            var protocol = data.Length >= BzProtocolVersionOffset + 2
                ? BinaryPrimitives.ReadUInt16LittleEndian(data[BzProtocolVersionOffset..]) : (ushort)0;
            if (protocol < 0x020c || data.Length < BzXLoadFlagsOffset + 2)
                throw new KernelImageException($"{path}: x86 boot protocol {protocol >> 8}.{protocol & 0xff} is too old to tell a 64-bit kernel (need 2.12+)");
            var xloadflags = BinaryPrimitives.ReadUInt16LittleEndian(data[BzXLoadFlagsOffset..]);
            if ((xloadflags & XlfKernel64) == 0)
                throw new KernelImageException($"{path}: a 32-bit x86 kernel; the harness boots x86_64 kernels only");
            return new KernelImageInfo(path, KernelArch.X86_64, KernelImageFormat.BzImage, BzImageRelease(data));
        }
        if (data.Length >= Arm64MagicOffset + 4 && BinaryPrimitives.ReadUInt32LittleEndian(data[Arm64MagicOffset..]) == Arm64Magic)
            return new KernelImageInfo(path, KernelArch.Aarch64, KernelImageFormat.Arm64Image, BannerRelease(data));
        return null;
    }

    /// <summary>The bzImage header points at a NUL-terminated "release (builder) #n ..." string.</summary>
    static string? BzImageRelease(ReadOnlySpan<byte> data)
    {
        var pointer = BinaryPrimitives.ReadUInt16LittleEndian(data[BzKernelVersionOffset..]);
        if (pointer == 0)
            return null;
        var offset = pointer + 0x200;
        if (offset >= data.Length)
            return null;
        var rest = data[offset..];
        var end = rest.IndexOfAny((byte)0, (byte)' ');
        return ValidRelease(end < 0 ? null : Encoding.ASCII.GetString(rest[..end]));
    }

    /// <summary>
    /// An uncompressed image holds the banner "Linux version RELEASE (builder) ..."; the printf
    /// format "Linux version %s" may come first, so take the first occurrence that is a real release.
    /// </summary>
    public static string? BannerRelease(ReadOnlySpan<byte> data)
    {
        var needle = "Linux version "u8;
        var at = 0;
        while (true)
        {
            var i = data[at..].IndexOf(needle);
            if (i < 0)
                return null;
            var start = at + i + needle.Length;
            var rest = data[start..];
            var end = rest.IndexOfAny((byte)0, (byte)' ', (byte)'\n');
            if (end > 0 && ValidRelease(Encoding.ASCII.GetString(rest[..end])) is { } release)
                return release;
            at = start;
        }
    }

    static string? ValidRelease(string? text) =>
        text is { Length: > 0 and < 128 } && char.IsAsciiDigit(text[0]) && text.All(c => c > ' ' && c < 0x7f && c != '%')
            ? text : null;
}
