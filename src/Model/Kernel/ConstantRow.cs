using Conformance.Model.Seccomp;

namespace Conformance.Model.Kernel;

/// <summary>
/// One constant of the kernel's UAPI headers with its value on each ABI the generator compiled
/// for (x86_64, i386, aarch64, arm; null where that ABI's headers do not define it).
/// </summary>
public sealed record ConstantRow(KernelConstantFamily Family, string Name, long?[] Values)
{
    static readonly Abi[] Order = [Abi.X86_64, Abi.I386, Abi.Aarch64, Abi.Arm];

    /// <summary>The value on one of the four ABIs (x32 was not compiled for: its long is 32 bits).</summary>
    public long? ValueOn(Abi abi) => Array.IndexOf(Order, abi) is var i and >= 0
        ? Values[i] : throw new ArgumentOutOfRangeException(nameof(abi), abi, "constants are generated for x86_64, i386, aarch64 and arm");

    /// <summary>The value when every ABI defines the name with the same value, else null: such a name means one number wherever it is written.</summary>
    public long? Uniform => Values.All(v => v is not null) && Values.Distinct().Count() == 1 ? Values[0] : null;
}
