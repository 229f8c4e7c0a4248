using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;

namespace Conformance.Tests.Catalogue;

/// <summary>`kmsg_read`'s `wait_ms`: a bounded wait, only in native actors.</summary>
public class KmsgWaitTests
{
    static CaseDefinition Case(string read) => CaseLoader.Parse($"""
        id: kmsg
        description: d
        steps:
          - kmsg_mark
          - call: getppid
          - kmsg_read:
            {read}
        """, "kmsg.yaml").Single();

    [Test]
    public void Wait_ms_is_read_and_written_back()
    {
        var c = Case("wait_ms: 2000");
        Assert.That(((KmsgReadStep)c.Steps[2]).WaitMs, Is.EqualTo(2000u));
        Assert.That(CaseWriter.Write([c]), Does.Contain("wait_ms: 2000"));
    }

    [TestCase("0"), TestCase("60001"), TestCase("-5")]
    public void A_wait_out_of_range_names_its_line(string ms) =>
        Assert.That(() => Case($"wait_ms: {ms}"), Throws.TypeOf<CaseFormatException>().With.Message.Contains("kmsg.yaml:7").And.Message.Contains("1 to 60000"));

    [Test]
    public void The_wait_compiles_to_one_more_call_than_the_plain_read()
    {
        var plain = CaseCompiler.Compile(Case("expect: {matches: x}"), "x86_64");
        var waiting = CaseCompiler.Compile(Case("wait_ms: 5"), "x86_64");
        Assert.That(waiting.Program.Length, Is.GreaterThan(plain.Program.Length));
    }
}
