using Conformance.Catalogue.Cases;

namespace Conformance.Fuzz.Targets;

/// <summary>A case file's YAML text: cases, or CaseFormatException naming where it went wrong.</summary>
public sealed class CaseLoaderTarget : IFuzzTarget
{
    public string Name => "cases";

    public void Run(ReadOnlySpan<byte> input)
    {
        try
        {
            CaseLoader.Parse(FuzzInput.Text(input), "fuzz.yaml");
        }
        catch (CaseFormatException e) when (e.Line >= 0 && e.Column >= 0)
        {
        }
    }
}
