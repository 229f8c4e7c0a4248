using Conformance.Model.Bpf;

namespace Conformance.Catalogue.Judge;

/// <summary>Which seccomp_data words a program can load: the model needs those values to predict a verdict.</summary>
public static class FilterReads
{
    /// <summary>True if any ld [k] of the program reads one of the 8 bytes at <paramref name="offset"/>.</summary>
    public static bool Reads(IEnumerable<Instruction[]> programs, uint offset) =>
        programs.Any(p => p.Any(i => i.Code == (Op.LD | Op.W | Op.ABS) && i.K >= offset && i.K < offset + 8));
}
