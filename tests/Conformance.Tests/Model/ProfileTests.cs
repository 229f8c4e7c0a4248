using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using static Conformance.Tests.Model.Bpf;

namespace Conformance.Tests.Model;

/// <summary>What each kernel profile changes, checked against the default (6.1) on the same input.</summary>
public class ProfileTests
{
    static Verdict Stack(KernelProfile profile, params uint[] returns)
    {
        var chain = new InstallingTask(profile);
        foreach (var r in returns)
            Assert.That(chain.Install([Ret(r)]).Accepted, Is.True);
        return chain.Evaluate(new SeccompData(39, AuditArch.X86_64));
    }

    [Test]
    public void Before_4_14_actions_are_masked_and_compared_unsigned_and_unknowns_kill_the_thread()
    {
        var old = KernelProfiles.Linux4_9;
        // KILL_PROCESS masks to KILL: a tie, so the newest wins.
        Assert.That(Stack(old, SeccompRet.KillProcess, SeccompRet.KillThread).Filter, Is.EqualTo(1));
        Assert.That(Stack(KernelProfiles.Default, SeccompRet.KillProcess, SeccompRet.KillThread).Filter, Is.EqualTo(0));
        Assert.That(Stack(old, SeccompRet.KillProcess).Action, Is.EqualTo(SeccompAction.KillThread));
        Assert.That(Stack(old, SeccompRet.Log).Action, Is.EqualTo(SeccompAction.KillThread));
        Assert.That(Stack(old, SeccompRet.UserNotif).Action, Is.EqualTo(SeccompAction.KillThread));
        // 0x90000000 masks to 0x10000000, above ERRNO: unsigned ranking puts it after TRAP and ERRNO.
        Assert.That(Stack(old, 0x90000000, Errno(1)).Action, Is.EqualTo(SeccompAction.Errno));
        Assert.That(Stack(KernelProfiles.Default, 0x90000000, Errno(1)).Action, Is.EqualTo(SeccompAction.KillProcess));
    }

    [Test]
    public void Log_exists_from_4_14_and_user_notif_from_5_0()
    {
        Assert.That(Stack(KernelProfiles.Linux4_14, SeccompRet.Log).Action, Is.EqualTo(SeccompAction.Log));
        Assert.That(Stack(KernelProfiles.Linux4_14, SeccompRet.UserNotif).Action, Is.EqualTo(SeccompAction.KillProcess));
        Assert.That(Stack(KernelProfiles.Linux4_19, SeccompRet.UserNotif).Action, Is.EqualTo(SeccompAction.KillProcess));
        Assert.That(Stack(KernelProfiles.Linux5_10, SeccompRet.UserNotif).Action, Is.EqualTo(SeccompAction.UserNotif));
    }

    [Test]
    public void Errno_is_uncapped_before_the_cap_fix()
    {
        Assert.That(Stack(KernelProfiles.Linux4_14, Errno(4096)).Data, Is.EqualTo(4096));
        Assert.That(Stack(KernelProfiles.Linux4_19, Errno(4096)).Data, Is.EqualTo(4095));
    }

    [Test]
    public void Precise_rejects_xor_and_accepts_large_constant_shifts()
    {
        Instruction[] xor = [AluK(Op.XOR, 3), RetA];
        Instruction[] shift = [AluK(Op.LSH, 32), RetA];
        Assert.That(FilterChecker.Check(xor, KernelProfiles.Precise3_2).Rule, Is.EqualTo(CheckRule.NotAllowedInSeccomp));
        Assert.That(FilterChecker.Check(xor, KernelProfiles.Default).Accepted, Is.True);
        Assert.That(FilterChecker.Check(shift, KernelProfiles.Precise3_2).Accepted, Is.True);
        Assert.That(FilterChecker.Check(shift, KernelProfiles.Default).Rule, Is.EqualTo(CheckRule.ShiftTooLarge));
    }

    [Test]
    public void Between_3_5_and_3_16_the_path_limit_was_checked_before_the_program()
    {
        var invalidAndTooLong = Repeat(LdAbs(1), 4096, Ret(Allow));
        var fill = Repeat(LdAbs(0), 4096, Ret(Allow));
        foreach (var (profile, errno) in new[] { (KernelProfiles.Linux3_16, Errnos.ENOMEM), (KernelProfiles.Default, Errnos.EINVAL) })
        {
            var chain = new InstallingTask(profile);
            for (int i = 0; i < 7; i++)
                Assert.That(chain.Install(fill).Accepted, Is.True);
            Assert.That(chain.Install(invalidAndTooLong).Errno, Is.EqualTo(errno), profile.Name);
        }
    }

    [Test]
    public void Uretprobe_skips_filters_on_6_12_and_uprobe_too_on_6_18_but_only_natively()
    {
        foreach (var (profile, nr, bypass) in new[]
        {
            (KernelProfiles.Linux6_1, 335, false), (KernelProfiles.Linux6_12, 335, true), (KernelProfiles.Linux6_12, 336, false),
            (KernelProfiles.Linux6_18, 335, true), (KernelProfiles.Linux6_18, 336, true), (KernelProfiles.Linux6_18, 39, false),
        })
        {
            var chain = new InstallingTask(profile);
            chain.Install([Ret(Errno(7))]);
            var v = chain.Evaluate(new SeccompData(nr, AuditArch.X86_64));
            Assert.That(v.Action, Is.EqualTo(bypass ? SeccompAction.Allow : SeccompAction.Errno), $"{profile} nr {nr}");
            Assert.That(chain.Evaluate(new SeccompData(nr, AuditArch.I386)).Action, Is.EqualTo(SeccompAction.Errno), $"{profile} i386 nr {nr}");
        }
    }

    [TestCase("6.1.0-56-cloud-amd64", "linux-6.1")]
    [TestCase("6.12.117+deb12-cloud-arm64", "linux-6.12")]
    [TestCase("6.18.44-fc-v657", "linux-6.18")]
    [TestCase("6.15.2", "linux-6.12")]
    [TestCase("6.6.63", "linux-6.6")]
    [TestCase("6.8.0-45-generic", "linux-6.6")]
    [TestCase("6.0.12", "linux-6.0")]
    [TestCase("5.19.17", "linux-5.19")]
    [TestCase("5.15.0-91-generic", "linux-5.15")]
    [TestCase("5.14.21", "linux-5.14")]
    [TestCase("5.11.22", "linux-5.11")]
    [TestCase("5.13.0-52-generic", "linux-5.11")]
    [TestCase("5.10.0-46-cloud-amd64", "linux-5.10")]
    [TestCase("5.10.0-32-cloud-arm64", "linux-5.10")]
    [TestCase("5.9.16", "linux-5.9")]
    [TestCase("5.8.0-63-generic", "linux-5.7")]
    [TestCase("5.7.19", "linux-5.7")]
    [TestCase("5.6.19", "linux-5.5")]
    [TestCase("5.5.0", "linux-5.5")]
    [TestCase("5.4.0", "linux-5.4")]
    [TestCase("5.3.18", "linux-5.0")]
    [TestCase("5.0.0-23-generic", "linux-5.0")]
    [TestCase("4.19.0-27-cloud-amd64", "linux-4.19")]
    [TestCase("4.18.0-553.el8_10.x86_64", "linux-4.17")]
    [TestCase("4.17.19", "linux-4.17")]
    [TestCase("4.15.0-20-generic", "linux-4.14")]
    [TestCase("4.4.0-21-generic", "linux-4.4")]
    [TestCase("3.13.0-24-generic", "linux-3.10")]
    [TestCase("3.2.0-23-generic", "ubuntu-3.2-precise")]
    public void Profiles_are_chosen_by_release(string release, string profile) =>
        Assert.That(KernelProfiles.ForRelease(release).Name, Is.EqualTo(profile));

    [Test]
    public void Profiles_are_found_by_name()
    {
        Assert.That(KernelProfiles.ByName("default"), Is.SameAs(KernelProfiles.Default));
        Assert.That(KernelProfiles.ByName("6.12"), Is.SameAs(KernelProfiles.Linux6_12));
        Assert.That(KernelProfiles.ByName("precise"), Is.SameAs(KernelProfiles.Precise3_2));
        Assert.That(KernelProfiles.ByName("linux-9.9"), Is.Null);
        Assert.That(KernelProfiles.ByName("5.15"), Is.SameAs(KernelProfiles.Linux5_15));
        Assert.That(KernelProfiles.ByName("linux-5.12"), Is.SameAs(KernelProfiles.Linux5_11), "a series without its own profile gets the one that judges it");
    }
}
