namespace Conformance.Machines.Protocol;

/// <summary>
/// One input of a FUZZ stack: the call's number, its six arguments and the call site (slot) it is
/// made through. <see cref="Index"/> is its place in the stack; <see cref="Slot"/> is after the
/// unmapped-slot fallback when it comes from <see cref="FuzzInputs"/>.
/// </summary>
public sealed record FuzzInput(uint Index, int Nr, IReadOnlyList<ulong> Args, byte Slot)
{
    public IReadOnlyList<ulong> Args { get; } = Args.Count == 6 ? [.. Args]
        : throw new ArgumentException($"a FUZZ input has 6 arguments, got {Args.Count}", nameof(Args));

    public bool Equals(FuzzInput? other) =>
        other is not null && Index == other.Index && Nr == other.Nr && Slot == other.Slot && Args.SequenceEqual(other.Args);

    public override int GetHashCode() => HashCode.Combine(Index, Nr, Slot, Args[0], Args[5]);

    public override string ToString() =>
        $"#{Index} nr {Nr} ({string.Join(", ", Args.Select(a => $"0x{a:x}"))}) slot {Slot}";
}
