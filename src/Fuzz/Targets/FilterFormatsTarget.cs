using Conformance.Model.Bpf;
using Conformance.Model.Text;

namespace Conformance.Fuzz.Targets;

/// <summary>
/// Any bytes through format detection and the readers (C array, comma, tcpdump -ddd, binary,
/// bpf_asm): a program or FilterSyntaxException. A program read must come back identical from
/// each writer's output, and that output must be detected as its own format.
/// </summary>
public sealed class FilterFormatsTarget : IFuzzTarget
{
    public string Name => "formats";

    public void Run(ReadOnlySpan<byte> input)
    {
        Instruction[] program;
        try
        {
            program = FilterFormats.Read(input);
        }
        catch (FilterSyntaxException)
        {
            return;
        }
        RoundTrips(program, FilterFormat.CArray, System.Text.Encoding.UTF8.GetBytes(FilterWriter.ToCArray(program, "filter")));
        RoundTrips(program, FilterFormat.CArray, System.Text.Encoding.UTF8.GetBytes(FilterWriter.ToCArray(program)));
        RoundTrips(program, FilterFormat.Comma, System.Text.Encoding.UTF8.GetBytes(FilterWriter.ToComma(program)));
        RoundTrips(program, FilterFormat.Ddd, System.Text.Encoding.UTF8.GetBytes(FilterWriter.ToDdd(program)));
        RoundTrips(program, FilterFormat.Binary, BinaryFilter.Write(program));
        ProgramInvariants.RoundTripsThroughAsm(program);
    }

    static void RoundTrips(Instruction[] program, FilterFormat format, byte[] written)
    {
        Instruction[] back;
        try
        {
            back = FilterFormats.Read(written, format);
        }
        catch (FilterSyntaxException e)
        {
            throw new FuzzInvariantException($"{format}: the writer's output does not read back: {e.Message}");
        }
        if (!back.AsSpan().SequenceEqual(program))
            throw new FuzzInvariantException($"{format}: read(write(p)) != p");
        // An empty binary filter is zero bytes, which is no format in particular.
        if (program.Length > 0 && FilterFormats.Detect(written) != format)
            throw new FuzzInvariantException($"{format}: the writer's output is detected as {FilterFormats.Detect(written)}");
    }
}
