using Conformance.Model.Bpf;

namespace Conformance.Model.Text;

/// <summary>
/// Turns label operands into offsets (bpf_asm's second stage). Jumps only go forward, so a label at or
/// before the jump is an error (bpf_asm silently wraps a backward <c>ja</c> to a huge k), and a
/// conditional jump reaches at most 255 instructions. Errors come in source order.
/// </summary>
static class LabelResolver
{
    public static Instruction[] Resolve(ParsedProgram program)
    {
        var result = new Instruction[program.Instructions.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var p = program.Instructions[i];
            byte jt = p.TrueTarget is { } t ? (byte)Offset(program, i, t, conditional: true) : p.Jt;
            byte jf = p.FalseTarget is { } f ? (byte)Offset(program, i, f, conditional: true) : p.Jf;
            uint k = p.AlwaysTarget is { } a ? (uint)Offset(program, i, a, conditional: false) : p.K;
            result[i] = new Instruction(p.Code, jt, jf, k);
        }
        return result;
    }

    static int Offset(ParsedProgram program, int from, LabelReference target, bool conditional)
    {
        if (!program.Labels.TryGetValue(target.Name, out var label))
            throw new FilterSyntaxException(target.Line, target.Column, $"no such label '{target.Name}'");
        int offset = label.Index - from - 1;
        if (offset < 0)
            throw new FilterSyntaxException(target.Line, target.Column,
                $"label '{target.Name}' (line {label.Line}) is not after this jump; BPF jumps only go forward");
        if (conditional && offset > byte.MaxValue)
            throw new FilterSyntaxException(target.Line, target.Column,
                $"label '{target.Name}' is {offset} instructions ahead; a conditional jump reaches at most 255");
        return offset;
    }
}
