namespace Conformance.Model.Seccomp;

/// <summary>The ABIs a seccomp filter can see, with their AUDIT_ARCH_* value (include/uapi/linux/audit.h).</summary>
public enum Abi
{
    X86_64,
    I386,
    X32,
    Aarch64,
    Arm,
}

public static class AuditArch
{
    public const uint X86_64 = 0xc000003e;
    public const uint I386 = 0x40000003;
    public const uint Aarch64 = 0xc00000b7;
    public const uint Arm = 0x40000028;

    /// <summary>x32 system calls report AUDIT_ARCH_X86_64 and carry this bit in nr.</summary>
    public const uint X32SyscallBit = 0x40000000;

    public static uint Of(Abi abi) => abi switch
    {
        Abi.X86_64 or Abi.X32 => X86_64,
        Abi.I386 => I386,
        Abi.Aarch64 => Aarch64,
        Abi.Arm => Arm,
        _ => throw new ArgumentOutOfRangeException(nameof(abi)),
    };

    /// <summary>Names accepted on the command line and in the eval contract ("x86_64", "i386", "aarch64", "arm", "x32").</summary>
    public static bool TryParseAbi(string name, out Abi abi)
    {
        switch (name.ToLowerInvariant())
        {
            case "x86_64": case "amd64": case "x86-64": abi = Abi.X86_64; return true;
            case "i386": case "x86": case "i686": abi = Abi.I386; return true;
            case "x32": abi = Abi.X32; return true;
            case "aarch64": case "arm64": abi = Abi.Aarch64; return true;
            case "arm": case "armhf": case "aarch32": abi = Abi.Arm; return true;
            default: abi = default; return false;
        }
    }

    public static string Name(Abi abi) => abi switch
    {
        Abi.X86_64 => "x86_64",
        Abi.I386 => "i386",
        Abi.X32 => "x32",
        Abi.Aarch64 => "aarch64",
        Abi.Arm => "arm",
        _ => throw new ArgumentOutOfRangeException(nameof(abi)),
    };
}
