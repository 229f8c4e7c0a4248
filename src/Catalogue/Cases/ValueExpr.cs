namespace Conformance.Catalogue.Cases;

/// <summary>An argument value in a case: known on the host, or only when the step runs in the guest.</summary>
public abstract record ValueExpr
{
    /// <summary>The value if the host knows it (the model can only judge calls whose inspected arguments are known).</summary>
    public virtual ulong? Known => null;
}

public sealed record IntValue(long Value) : ValueExpr
{
    public override ulong? Known => unchecked((ulong)Value);
    public override string ToString() => Value is >= -4096 and < 4096 ? Value.ToString() : $"0x{Value:x}";
}

/// <summary>A syscall name, resolved for the ABI of the actor that runs the step.</summary>
public sealed record SyscallNameValue(string Name) : ValueExpr
{
    public override string ToString() => Name;
}

public enum RuntimeValueKind { Null, Bad, Pid, Tid, Ppid }

public sealed record RuntimeValue(RuntimeValueKind Kind) : ValueExpr
{
    public override ulong? Known => Kind == RuntimeValueKind.Null ? 0UL : null;
    public override string ToString() => Kind.ToString().ToLowerInvariant();
}

/// <summary>A value saved by an earlier step (`$name`), plus a constant.</summary>
public sealed record SavedValue(string Name, long Add = 0) : ValueExpr
{
    public bool IsShared => Name.StartsWith("shared.", StringComparison.Ordinal);
    public override string ToString() => Add == 0 ? $"${Name}" : $"${Name}{Add:+#;-#}";
}

/// <summary>The actor's scratch buffer plus an offset.</summary>
public sealed record BufferValue(uint Offset) : ValueExpr
{
    public override string ToString() => Offset == 0 ? "buf" : $"buf+{Offset}";
}

/// <summary>Address of a copy of these bytes (a string with its NUL, or packed integers).</summary>
public sealed record DataValue(byte[] Bytes, string Text) : ValueExpr
{
    /// <summary>The width of the integers the case packed (bytes 1, u32 4, u64 8); 0 for a `str:` string or data made in code.</summary>
    public int Width { get; init; }

    public override string ToString() => Text;
}

public enum FilterPointer { Real, Null, Bad }

/// <summary>Address of a struct sock_fprog for a filter of the case.</summary>
public sealed record FilterValue(string Filter, FilterPointer Pointer = FilterPointer.Real, uint? Length = null) : ValueExpr
{
    public override string ToString() => $"filter:{Filter}{(Pointer == FilterPointer.Real ? "" : ":" + Pointer.ToString().ToLowerInvariant())}{(Length is { } l ? $":len={l}" : "")}";
}

/// <summary>A pointer for the fprog itself that is NULL or unmapped (install's `fprog: null|bad`).</summary>
public sealed record FprogPointerValue(RuntimeValueKind Kind) : ValueExpr
{
    public override ulong? Known => Kind == RuntimeValueKind.Null ? 0UL : null;
    public override string ToString() => Kind.ToString().ToLowerInvariant();
}
