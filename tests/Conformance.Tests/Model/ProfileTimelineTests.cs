using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using Conformance.Model.Task;
using static Conformance.Model.Kernel.SeccompFilterFlags;
using static Conformance.Model.Kernel.UserNotifFeatures;

namespace Conformance.Tests.Model;

/// <summary>
/// Each profile from 4.14 to 6.18 against the kernel's feature timeline (docs/cases.md, "Feature
/// timeline"): which filter flags and notification features exist, the action cache, the ERRNO cap
/// and how a process's wait status is reported after its main thread died alone.
/// </summary>
public class ProfileTimelineTests
{
    static readonly SeccompFilterFlags Base = Tsync | Log;

    static IEnumerable<TestCaseData> Timeline()
    {
        TestCaseData Row(KernelProfile p, SeccompFilterFlags flags, UserNotifFeatures notif, bool userNotif, bool cache, bool groupExit, bool capsErrno) =>
            new TestCaseData(p, flags, notif, userNotif, cache, groupExit, capsErrno).SetName($"Profile_{p.Name}");
        yield return Row(KernelProfiles.Linux4_14, Base, UserNotifFeatures.None, false, false, false, false);
        yield return Row(KernelProfiles.Linux4_17, Base | SpecAllow, UserNotifFeatures.None, false, false, false, true);
        yield return Row(KernelProfiles.Linux4_19, Base | SpecAllow, UserNotifFeatures.None, false, false, false, true);
        yield return Row(KernelProfiles.Linux5_0, Base | SpecAllow | NewListener, UserNotifFeatures.None, true, false, false, true);
        yield return Row(KernelProfiles.Linux5_4, Base | SpecAllow | NewListener, UserNotifFeatures.None, true, false, false, true);
        yield return Row(KernelProfiles.Linux5_5, Base | SpecAllow | NewListener, Continue, true, false, false, true);
        yield return Row(KernelProfiles.Linux5_7, Base | SpecAllow | NewListener | TsyncEsrch, Continue, true, false, false, true);
        yield return Row(KernelProfiles.Linux5_9, Base | SpecAllow | NewListener | TsyncEsrch, Continue | Addfd, true, false, false, true);
        yield return Row(KernelProfiles.Linux5_10, Base | SpecAllow | NewListener | TsyncEsrch, Continue | Addfd, true, false, false, true);
        yield return Row(KernelProfiles.Linux5_11, Base | SpecAllow | NewListener | TsyncEsrch, Continue | Addfd, true, true, false, true);
        yield return Row(KernelProfiles.Linux5_14, Base | SpecAllow | NewListener | TsyncEsrch, Continue | Addfd | AddfdSend, true, true, false, true);
        yield return Row(KernelProfiles.Linux5_15, Base | SpecAllow | NewListener | TsyncEsrch, Continue | Addfd | AddfdSend, true, true, false, true);
        var all = Base | SpecAllow | NewListener | TsyncEsrch | WaitKillableRecv;
        yield return Row(KernelProfiles.Linux5_19, all, Continue | Addfd | AddfdSend, true, true, false, true);
        yield return Row(KernelProfiles.Linux6_0, all, Continue | Addfd | AddfdSend, true, true, true, true);
        yield return Row(KernelProfiles.Linux6_1, all, Continue | Addfd | AddfdSend, true, true, true, true);
        yield return Row(KernelProfiles.Linux6_6, all, UserNotifFeatures.All, true, true, true, true);
        yield return Row(KernelProfiles.Linux6_12, all, UserNotifFeatures.All, true, true, true, true);
        yield return Row(KernelProfiles.Linux6_18, all, UserNotifFeatures.All, true, true, true, true);
    }

    [TestCaseSource(nameof(Timeline))]
    public void Each_profile_has_what_its_version_added(KernelProfile p, SeccompFilterFlags flags, UserNotifFeatures notif,
        bool userNotif, bool cache, bool groupExit, bool capsErrno)
    {
        Assert.Multiple(() =>
        {
            Assert.That(p.FilterFlags, Is.EqualTo(flags), "filter flags");
            Assert.That(p.UserNotif, Is.EqualTo(notif), "notification flags and ioctls");
            Assert.That(p.HasUserNotif, Is.EqualTo(userNotif), "RET_USER_NOTIF");
            Assert.That(p.HasActionCache, Is.EqualTo(cache), "action cache");
            Assert.That(p.LastThreadSetsGroupExit, Is.EqualTo(groupExit), "the last thread sets the group's exit code");
            Assert.That(p.CapsErrno, Is.EqualTo(capsErrno), "ERRNO capped at MAX_ERRNO");
            Assert.That(p.FullActionCompare && p.HasLog, Is.True, "KILL_PROCESS, LOG and the signed compare (4.14)");
            Assert.That(KernelProfiles.ForRelease($"{p.Since.Major}.{p.Since.Minor}.0"), Is.SameAs(p), "its own series maps to it");
        });
    }

    [Test]
    public void Profiles_are_listed_newest_first_so_a_release_gets_the_newest_that_applies()
    {
        var since = KernelProfiles.All.Select(p => p.Since).ToList();
        Assert.That(since, Is.Ordered.Descending);
        Assert.That(since, Is.Unique);
    }

    [Test]
    public void A_main_thread_that_died_alone_is_the_status_before_6_0_and_the_last_thread_decides_after()
    {
        Assert.That(GroupExitStatus.AfterMainThreadDiedAlone(KernelProfiles.Linux5_10, KernelConstants.SIGSYS, 0),
            Is.EqualTo(new GroupExitStatus.Status(null, KernelConstants.SIGSYS)));
        Assert.That(GroupExitStatus.AfterMainThreadDiedAlone(KernelProfiles.Linux5_19, KernelConstants.SIGSYS, 0),
            Is.EqualTo(new GroupExitStatus.Status(null, KernelConstants.SIGSYS)));
        Assert.That(GroupExitStatus.AfterMainThreadDiedAlone(KernelProfiles.Linux6_0, KernelConstants.SIGSYS, 3),
            Is.EqualTo(new GroupExitStatus.Status(3, null)));
        Assert.That(GroupExitStatus.AfterMainThreadDiedAlone(KernelProfiles.Linux6_12, KernelConstants.SIGKILL, 0),
            Is.EqualTo(new GroupExitStatus.Status(0, null)));
    }
}
