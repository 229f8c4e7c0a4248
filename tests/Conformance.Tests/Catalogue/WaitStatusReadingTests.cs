using Conformance.Model.Kernel;
using Conformance.Machines.Protocol;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Judge;

namespace Conformance.Tests.Catalogue;

/// <summary>Only a wait step's record is a wait status; other recorded bytes are not read as one.</summary>
public class WaitStatusReadingTests
{
    static readonly MatchContext Ctx = new(10, 10, 1, 0, _ => null);

    static StepView View(long ret, byte[] recorded, bool isWait) =>
        new([new SyscallObservation(1, 10, 10, ret, recorded)], false, null) { IsWait = isWait };

    [Test]
    public void A_read_that_recorded_text_is_not_described_as_a_child()
    {
        var text = "Seccomp:\t1\n"u8.ToArray();
        var observed = MatcherCheck.Evaluate(new Matcher { Ret = new ValueMatch(">0", (x, _) => x > 0) }, View(text.Length, text, isWait: false), Ctx, _ => null).Observed;
        Assert.That(observed, Does.Not.Contain("child"));
    }

    [Test]
    public void Exited_does_not_match_bytes_that_only_look_like_a_status()
    {
        var r = MatcherCheck.Evaluate(new Matcher { Exited = 0 }, View(4, [0, 0, 0, 0], isWait: false), Ctx, _ => null);
        Assert.That(r.Passed, Is.False);
    }

    [Test]
    public void A_wait_record_is_the_childs_status()
    {
        // 0x1f: killed by SIGSYS; 0x0300: exited 3.
        var killed = MatcherCheck.Evaluate(new Matcher { Killed = KernelConstants.SIGSYS }, View(42, [0x1f, 0, 0, 0], isWait: true), Ctx, _ => null);
        Assert.That(killed.Passed, Is.True, killed.Observed);
        var exited = MatcherCheck.Evaluate(new Matcher { Exited = 3 }, View(42, [0, 3, 0, 0], isWait: true), Ctx, _ => null);
        Assert.That((exited.Passed, exited.Observed), Is.EqualTo((true, "ret 42; child exited 3")));
    }
}
