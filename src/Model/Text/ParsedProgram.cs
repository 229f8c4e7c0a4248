namespace Conformance.Model.Text;

/// <summary>A jump's label operand, kept with its position so resolution errors point at it.</summary>
sealed record LabelReference(string Name, int Line, int Column);

/// <summary>A label definition: the index of the instruction it names.</summary>
sealed record LabelDefinition(string Name, int Index, int Line, int Column);

/// <summary>An instruction whose jump offsets may still be label names.</summary>
sealed class PendingInstruction(ushort code, uint k)
{
    public ushort Code { get; } = code;
    public byte Jt { get; init; }
    public byte Jf { get; init; }
    public uint K { get; } = k;
    public LabelReference? TrueTarget { get; init; }
    public LabelReference? FalseTarget { get; init; }
    /// <summary>The target of an unconditional <c>ja</c>, whose offset lives in k.</summary>
    public LabelReference? AlwaysTarget { get; init; }
}

sealed record ParsedProgram(IReadOnlyList<PendingInstruction> Instructions, IReadOnlyDictionary<string, LabelDefinition> Labels);
