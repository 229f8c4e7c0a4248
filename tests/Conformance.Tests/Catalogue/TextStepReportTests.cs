using System.Text;
using Conformance.Machines.Protocol;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Judge;

namespace Conformance.Tests.Catalogue;

/// <summary>
/// kmsg_read's records are text: a failed text check reports the text read, never its first bytes
/// taken for a wait status (which is what a wait step's record is).
/// </summary>
public class TextStepReportTests
{
    static readonly MatchContext Ctx = new(100, 100, 1, -1, _ => null);

    const string Record = "5,447,4633138442,-;audit: type=1326 audit(1.2:3): sig=0 arch=c000003e syscall=110 compat=0 ip=0x401028 code=0x7ffc0000\n";

    static StepView KmsgReads(params string[] texts) =>
        new([.. texts.Select(t => new SyscallObservation(7, 100, 100, Encoding.UTF8.GetByteCount(t), Encoding.UTF8.GetBytes(t))),
             new SyscallObservation(7, 100, 100, -11, new byte[1024])], false, null) { ReadsText = true };

    [Test]
    public void A_failed_kmsg_check_reports_the_text_it_read()
    {
        var r = MatcherCheck.Evaluate(new Matcher { Contains = "code=0x50000" }, KmsgReads(Record), Ctx, _ => null);
        Assert.That(r.Passed, Is.False);
        Assert.That(r.Observed, Does.Contain("syscall=110 compat=0").And.Not.Contain("child"));
    }

    [Test]
    public void Text_from_several_reads_is_matched_as_one()
    {
        var m = new Matcher { Matches = "code=0x7ffc0000(.|\\n)*second", Lacks = "code=0x50000" };
        var r = MatcherCheck.Evaluate(m, KmsgReads(Record, "6,448,4633138443,-;second\n"), Ctx, _ => null);
        Assert.That(r.Passed, Is.True, r.Observed);
    }

    [Test]
    public void A_wait_record_is_still_read_as_a_wait_status()
    {
        var status = BitConverter.GetBytes(0x1f);   // killed by SIGSYS
        var wait = new StepView([new SyscallObservation(3, 100, 100, 4242, status)], false, null) { IsWait = true };
        var r = MatcherCheck.Evaluate(new Matcher { Killed = 31 }, wait, Ctx, _ => null);
        Assert.That(r.Passed, Is.True, r.Observed);
        Assert.That(r.Observed, Does.Contain("child"));
    }
}
