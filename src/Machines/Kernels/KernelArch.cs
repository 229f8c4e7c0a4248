using System.Runtime.InteropServices;

namespace Conformance.Machines.Kernels;

/// <summary>The guest architectures the harness boots (always under QEMU TCG).</summary>
public enum KernelArch { X86_64, Aarch64 }

public static class KernelArchNames
{
    /// <summary>The name uname -m gives and the harness uses everywhere: "x86_64", "aarch64".</summary>
    public static string Name(this KernelArch arch) => arch switch
    {
        KernelArch.X86_64 => "x86_64",
        KernelArch.Aarch64 => "aarch64",
        _ => throw new ArgumentOutOfRangeException(nameof(arch)),
    };

    /// <summary>Debian's architecture name: "amd64", "arm64".</summary>
    public static string DebianName(this KernelArch arch) => arch switch
    {
        KernelArch.X86_64 => "amd64",
        KernelArch.Aarch64 => "arm64",
        _ => throw new ArgumentOutOfRangeException(nameof(arch)),
    };

    /// <summary>The kernel tree's ARCH= value.</summary>
    public static string KbuildName(this KernelArch arch) => arch switch
    {
        KernelArch.X86_64 => "x86_64",
        KernelArch.Aarch64 => "arm64",
        _ => throw new ArgumentOutOfRangeException(nameof(arch)),
    };

    public static IReadOnlyList<KernelArch> All { get; } = [KernelArch.X86_64, KernelArch.Aarch64];

    /// <summary>Accepts the uname, Debian and kbuild spellings.</summary>
    public static KernelArch Parse(string text) => TryParse(text, out var arch)
        ? arch
        : throw new ArgumentException($"unknown architecture '{text}': use x86_64 or aarch64");

    public static bool TryParse(string text, out KernelArch arch)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "x86_64" or "amd64" or "x64":
                arch = KernelArch.X86_64;
                return true;
            case "aarch64" or "arm64":
                arch = KernelArch.Aarch64;
                return true;
            default:
                arch = default;
                return false;
        }
    }

    /// <summary>The architecture of the machine the harness runs on, if it is one we know.</summary>
    public static KernelArch? Host => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => KernelArch.X86_64,
        Architecture.Arm64 => KernelArch.Aarch64,
        _ => null,
    };
}
