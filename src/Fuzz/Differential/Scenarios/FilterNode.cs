namespace Conformance.Fuzzing;

/// <summary>
/// The body of one filter rule: a small decision tree over seccomp_data (arguments, their high
/// halves, the arch, the number, the instruction pointer) ending in return values. Every path ends
/// in a `ret`, jumps only go forward, and scratch memory is written before it is read, so Linux's
/// checker accepts any tree.
/// </summary>
public abstract record FilterNode
{
    /// <summary>Every value the tree can return.</summary>
    public abstract IEnumerable<FilterAction> Leaves { get; }

    /// <summary>Instructions the tree renders to (for keeping jumps within bpf's 255).</summary>
    public abstract int Length { get; }

    /// <summary>Writes the tree's bpf_asm lines; the first line carries <paramref name="label"/>.</summary>
    internal abstract void Render(List<string> lines, string label, Func<string> newLabel);

    internal static string Line(string label, string text) => label.Length == 0 ? text : $"{label}: {text}";
}

/// <summary>`ret #ACTION`, or `ld #k` then `ret a` (the same value through the accumulator).</summary>
public sealed record FilterLeaf(FilterAction Action, bool ThroughA = false) : FilterNode
{
    public override IEnumerable<FilterAction> Leaves => [Action];

    public override int Length => ThroughA ? 2 : 1;

    internal override void Render(List<string> lines, string label, Func<string> newLabel)
    {
        if (ThroughA)
        {
            lines.Add(Line(label, $"ld #0x{Action.Ret:x8}"));
            lines.Add(Line("", "ret a"));
        }
        else
            lines.Add(Line(label, $"ret {Action.Operand}"));
    }
}

/// <summary>
/// `ja` over <see cref="Dead"/> instructions (ones the kernel's cache emulator would give up on;
/// nothing executes them, and they never return) to the rest of the tree: the emulator must take
/// the jump as the interpreter does to find the `ret` behind it.
/// </summary>
public sealed record FilterSkip(IReadOnlyList<string> Dead, FilterNode Next) : FilterNode
{
    public override IEnumerable<FilterAction> Leaves => Next.Leaves;

    public override int Length => 1 + Dead.Count + Next.Length;

    internal override void Render(List<string> lines, string label, Func<string> newLabel)
    {
        var next = newLabel();
        lines.Add(Line(label, $"ja {next}"));
        foreach (var d in Dead)
            lines.Add(d);
        Next.Render(lines, next, newLabel);
    }
}

/// <summary>
/// Computes a value (<see cref="Prelude"/>: loads, ALU with constants, tax/txa, st/ld M[]) and
/// branches on it: `JUMP OPERAND, true, false` with jeq, jgt, jge or jset against `#k` or `x`.
/// </summary>
public sealed record FilterTest(IReadOnlyList<string> Prelude, string Jump, string Operand, FilterNode True, FilterNode False) : FilterNode
{
    public override IEnumerable<FilterAction> Leaves => True.Leaves.Concat(False.Leaves);

    public override int Length => Prelude.Count + 1 + True.Length + False.Length;

    internal override void Render(List<string> lines, string label, Func<string> newLabel)
    {
        var first = label;
        foreach (var p in Prelude)
        {
            lines.Add(Line(first, p));
            first = "";
        }
        string t = newLabel(), f = newLabel();
        lines.Add(Line(first, $"{Jump} {Operand}, {t}, {f}"));
        True.Render(lines, t, newLabel);
        False.Render(lines, f, newLabel);
    }
}
