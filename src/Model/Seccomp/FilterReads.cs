using Conformance.Model.Bpf;

namespace Conformance.Model.Seccomp;

/// <summary>
/// Which seccomp_data fields a program can load. A caller that knows a field only at run time gets
/// an answer anyway when no filter loads it, because then the field cannot change the verdict.
/// </summary>
public static class FilterReads
{
    /// <summary>True if any ld [k] of the program reads one of the <paramref name="size"/> bytes at <paramref name="offset"/>.</summary>
    public static bool Reads(ReadOnlySpan<Instruction> program, uint offset, uint size)
    {
        foreach (var insn in program)
            if (insn.Code == (Op.LD | Op.W | Op.ABS) && insn.K >= offset && insn.K < offset + size)
                return true;
        return false;
    }
}
