using Conformance.Model.Seccomp;

namespace Conformance.Model.Kernel;

/// <summary>A member of a kernel struct: its offset and size in bytes (a nested member is named "data.nr").</summary>
public sealed record KernelField(string Name, int Offset, int Size);

/// <summary>A kernel struct as one ABI's compiler lays it out.</summary>
public sealed record KernelStructLayout(string CType, int Size, KernelField[] Fields)
{
    public KernelField Field(string name) =>
        Fields.FirstOrDefault(f => f.Name == name) ?? throw new ArgumentException($"{CType} has no member {name} in the generated layout", nameof(name));

    public int Offset(string name) => Field(name).Offset;
}

/// <summary>Struct sizes and member offsets per ABI, read from the compilers (KernelStructLayouts.Generated.cs).</summary>
public static partial class KernelStructLayouts
{
    public static KernelStructLayout Of(KernelStruct kind, Abi abi) => Table.TryGetValue((kind, abi), out var layout)
        ? layout : throw new ArgumentOutOfRangeException(nameof(abi), abi, "layouts are generated for x86_64, i386, aarch64 and arm");
}
