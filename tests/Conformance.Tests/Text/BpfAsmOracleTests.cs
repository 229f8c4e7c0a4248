using System.Text;
using Conformance.Model.Text;

namespace Conformance.Tests.Text;

/// <summary>Our assembler and readers against what the real bpf_asm made of the same text.</summary>
public class BpfAsmOracleTests
{
    /// <summary>Inputs bpf_asm rejects that we accept on purpose (documented in Assembler's summary).</summary>
    static readonly Dictionary<string, string> DeliberateExtensions = new()
    {
        ["reject-ind-plus-number"] = "bpf_asm's lexer reads '+5' as a signed number inside [x+5]; we read the offset",
    };

    public static IEnumerable<OracleCase> Accepted => BpfAsmOracle.Cases.Where(c => c.Accepted);
    public static IEnumerable<OracleCase> Rejected => BpfAsmOracle.Cases.Where(c => !c.Accepted);

    [Test]
    public void TheRecordingCoversEnoughGround()
    {
        Assert.That(Accepted.Count(), Is.GreaterThan(300));
        Assert.That(Rejected.Count(), Is.GreaterThan(10));
        Assert.That(Accepted.Sum(c => c.Expected().Length), Is.GreaterThan(5000));
    }

    [TestCaseSource(nameof(Accepted))]
    public void AssemblesLikeBpfAsm(OracleCase c) =>
        Assert.That(Assembler.Assemble(c.Source), Is.EqualTo(c.Expected()), c.Source);

    [TestCaseSource(nameof(Accepted))]
    public void ReadsBpfAsmCommaOutput(OracleCase c)
    {
        var bytes = Encoding.UTF8.GetBytes(c.CommaOutput! + "\n");
        Assert.That(FilterFormats.Detect(bytes), Is.EqualTo(FilterFormat.Comma));
        Assert.That(FilterFormats.Read(bytes), Is.EqualTo(c.Expected()));
    }

    [TestCaseSource(nameof(Accepted))]
    public void ReadsBpfAsmCArrayOutput(OracleCase c)
    {
        var bytes = Encoding.UTF8.GetBytes(c.CArrayOutput!);
        Assert.That(FilterFormats.Detect(bytes), Is.EqualTo(FilterFormat.CArray));
        Assert.That(FilterFormats.Read(bytes), Is.EqualTo(c.Expected()));
    }

    [TestCaseSource(nameof(Rejected))]
    public void RejectsWhatBpfAsmRejects(OracleCase c)
    {
        if (DeliberateExtensions.TryGetValue(c.Name, out var why))
        {
            Assert.That(() => Assembler.Assemble(c.Source), Throws.Nothing, why);
            return;
        }
        var e = Assert.Throws<FilterSyntaxException>(() => Assembler.Assemble(c.Source), c.Error!)!;
        // Where bpf_asm names a line (its syntax errors do), ours is the same line.
        var m = System.Text.RegularExpressions.Regex.Match(c.Error!, @"at line (\d+)");
        if (m.Success)
            Assert.That(e.Line, Is.EqualTo(int.Parse(m.Groups[1].Value)), e.Message);
    }
}
