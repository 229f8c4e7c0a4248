using Conformance.Machines.Protocol;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Judge;

namespace Conformance.Tests.Catalogue;

/// <summary>`recorded:` holds the bytes a call recorded against little-endian values.</summary>
public class RecordedMatcherTests
{
    static Matcher Parse(string expect) =>
        CaseLoader.Parse($$"""
            id: t/recorded
            description: recorded bytes
            steps:
              - call: seccomp
                args: [3, 0, buf]
                record: {at: buf, len: 6}
                expect: {{expect}}
            """, "t.yaml")[0].Steps[0].Expect!.Alternatives[0].Matcher!;

    static MatcherCheck.Result Check(Matcher m, params byte[] recorded) =>
        MatcherCheck.Evaluate(m, new StepView([new SyscallObservation(1, 10, 10, 0, recorded)], false, null),
            new MatchContext(10, 10, 1, 0, _ => null), _ => null);

    [Test]
    public void U16_values_are_laid_out_little_endian()
    {
        Assert.That(Parse("{recorded: {u16: [80, 24, 64]}}").Recorded, Is.EqualTo(new byte[] { 80, 0, 24, 0, 64, 0 }));
        Assert.That(Parse("{recorded: {u32: [0x7fff0000]}}").Recorded, Is.EqualTo(new byte[] { 0, 0, 0xff, 0x7f }));
        Assert.That(Parse("{recorded: {bytes: [1, 2]}}").Recorded, Is.EqualTo(new byte[] { 1, 2 }));
    }

    [Test]
    public void The_recorded_bytes_must_begin_with_the_values()
    {
        var m = Parse("{ret: 0, recorded: {u16: [80, 24]}}");
        Assert.That(Check(m, 80, 0, 24, 0, 64, 0).Passed, Is.True);
        var wrong = Check(m, 80, 0, 25, 0, 64, 0);
        Assert.That(wrong.Passed, Is.False);
        Assert.That(wrong.Observed, Does.Contain("recorded 500019004000"));
        Assert.That(Check(m, 80, 0).Passed, Is.False, "fewer bytes than expected");
    }

    [Test]
    public void A_value_too_wide_for_its_kind_is_an_error()
    {
        var e = Assert.Throws<CaseFormatException>(() => Parse("{recorded: {u16: [70000]}}"));
        Assert.That(e!.Message, Does.Contain("70000 does not fit in u16"));
    }
}
