using System.Buffers.Binary;
using Conformance.Machines.Protocol;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Judge;

namespace Conformance.Tests.Catalogue;

/// <summary>A failed notification or metadata check says what the kernel reported, field by field.</summary>
public class NotificationReportTests
{
    static readonly MatchContext Ctx = new(100, 100, 1, -1, _ => null, name => name == "getppid" ? 110 : null);

    static StepView Received(int pid, int nr, uint arch, params ulong[] args)
    {
        var b = new byte[80];
        BinaryPrimitives.WriteUInt64LittleEndian(b, 0x1234);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), pid);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(16), nr);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), arch);
        for (int i = 0; i < args.Length; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(32 + 8 * i), args[i]);
        return new StepView([new SyscallObservation(4, 100, 100, 0, b)], false, null);
    }

    [Test]
    public void A_matching_notification_passes()
    {
        var m = new Matcher { Notif = new NotifMatch(new SyscallNameValue("getppid"), 0xc000003e, [1, 2], new IntValue(200)) };
        var r = MatcherCheck.Evaluate(m, Received(200, 110, 0xc000003e, 1, 2), Ctx, _ => null);
        Assert.That(r.Passed, Is.True, r.Observed);
    }

    [Test]
    public void A_wrong_argument_fails_and_the_report_shows_every_field()
    {
        var m = new Matcher { Notif = new NotifMatch(new SyscallNameValue("getppid"), 0xc000003e, [1, 2], new IntValue(200)) };
        var r = MatcherCheck.Evaluate(m, Received(200, 110, 0xc000003e, 1, 0x300000002), Ctx, _ => null);
        Assert.That(r.Passed, Is.False);
        Assert.That(r.Observed, Does.Contain("pid 200").And.Contain("nr 110").And.Contain("arch 0xc000003e").And.Contain("args [0x1, 0x300000002, 0x0"));
    }

    [Test]
    public void A_wrong_metadata_flag_fails_and_the_report_shows_the_flags()
    {
        var b = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), 2);   // SECCOMP_FILTER_FLAG_LOG
        var v = new StepView([new SyscallObservation(5, 100, 100, 16, b)], false, null);
        var r = MatcherCheck.Evaluate(new Matcher { MetadataFlags = [] }, v, Ctx, _ => null);
        Assert.That(r.Passed, Is.False);
        Assert.That(r.Observed, Does.Contain("metadata flags 0x2"));
    }
}
