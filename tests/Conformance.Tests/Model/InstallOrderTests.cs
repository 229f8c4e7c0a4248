using Conformance.Model.Bpf;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using Conformance.Model.Task;
using static Conformance.Tests.Model.Bpf;

namespace Conformance.Tests.Model;

/// <summary>
/// seccomp_set_mode_filter's checks in the kernel's order: for each rule, a request that breaks it
/// and the next rule together gets the first one's errno, and breaking only the next one gets that.
/// </summary>
public class InstallOrderTests
{
    sealed record Setup(TaskState Task, KernelDescription Kernel, InstallRequest Request)
    {
        public InstallOutcome Decide() => SeccompInstall.Decide(Task, Kernel, Request);
    }

    static readonly Instruction[] AllowAll = [Ret(Allow)];
    static readonly Instruction[] Big = Repeat(LdAbs(0), 4096, Ret(Allow));

    static Setup Base(KernelProfile? profile = null, InstallCall call = InstallCall.Seccomp)
    {
        profile ??= KernelProfiles.Default;
        return new Setup(new TaskState(Abi.X86_64, profile) { NoNewPrivs = true }, new KernelDescription(profile), InstallRequest.Plain(call, AllowAll));
    }

    static Setup Flags(Setup s, SeccompFilterFlags flags) => s with { Request = s.Request with { Flags = s.Request.Flags | flags } };

    /// <summary>Seven 4096-instruction filters attached: a further 4096-instruction filter no longer fits the path.</summary>
    static TaskState NearlyFull(TaskState task)
    {
        var big = LoadedFilter.Load(Big, task.Chain.Profile);
        for (int i = 0; i < 7; i++)
            task = task.Attach(big, SeccompFilterFlags.None);
        return task;
    }

    /// <summary>How to break each rule, alone, starting from a request the kernel accepts.</summary>
    static readonly Dictionary<InstallRule, (int Errno, Func<Setup, Setup> Break)> Breaks = new()
    {
        [InstallRule.NoSyscall] = (Errnos.ENOSYS, s => s with { Kernel = s.Kernel with { HasSeccompSyscall = false } }),
        [InstallRule.NoFilterMode] = (Errnos.EINVAL, s => s with { Kernel = s.Kernel with { HasFilterMode = false } }),
        [InstallRule.UnknownFlag] = (Errnos.EINVAL, s => Flags(s, SeccompFilterFlags.SpecAllow) with
        {
            Kernel = s.Kernel with { FilterFlags = s.Kernel.FilterFlags & ~SeccompFilterFlags.SpecAllow },
        }),
        [InstallRule.TsyncNeedsEsrch] = (Errnos.EINVAL, s => Flags(s, SeccompFilterFlags.Tsync | SeccompFilterFlags.NewListener)),
        [InstallRule.KillableNeedsListener] = (Errnos.EINVAL, s => Flags(s, SeccompFilterFlags.WaitKillableRecv)),
        [InstallRule.FprogFault] = (Errnos.EFAULT, s => s with { Request = s.Request with { Fprog = UserPointer.Unmapped } }),
        [InstallRule.LengthRange] = (Errnos.EINVAL, s => s with { Request = s.Request with { Length = 0 } }),
        [InstallRule.NoPrivilege] = (Errnos.EACCES, s => s with { Task = s.Task with { NoNewPrivs = false, CapSysAdmin = false } }),
        [InstallRule.NullFilter] = (Errnos.EINVAL, s => s with { Request = s.Request with { Filter = UserPointer.Null } }),
        [InstallRule.FilterFault] = (Errnos.EFAULT, s => s with { Request = s.Request with { Filter = UserPointer.Unmapped } }),
        [InstallRule.LengthPastMapping] = (Errnos.EFAULT, s => s with { Request = s.Request with { Length = s.Request.Mapped.Length + 1 } }),
        [InstallRule.Checker] = (Errnos.EINVAL, s => s with { Request = s.Request with { Mapped = [LdAbs(1), RetA], Length = 2 } }),
        [InstallRule.StrictMode] = (Errnos.EINVAL, s => s with { Task = s.Task with { Mode = SeccompMode.Strict } }),
        [InstallRule.ListenerBusy] = (Errnos.EBUSY, s => Flags(s, SeccompFilterFlags.NewListener) with
        {
            Task = s.Task.Attach(LoadedFilter.Load(AllowAll, s.Kernel.Profile), SeccompFilterFlags.NewListener),
        }),
        [InstallRule.PathLimit] = (Errnos.ENOMEM, s => s with
        {
            Task = NearlyFull(s.Task), Request = s.Request with { Mapped = Big, Length = Big.Length },
        }),
    };

    /// <summary>
    /// Each rule and the next one in the kernel's order that can be broken at the same time
    /// (a pointer is NULL or unmapped, not both; NEW_LISTENER is given or not).
    /// </summary>
    static readonly (InstallRule First, InstallRule Next)[] Order =
    [
        (InstallRule.NoSyscall, InstallRule.NoFilterMode),
        (InstallRule.NoFilterMode, InstallRule.UnknownFlag),
        (InstallRule.UnknownFlag, InstallRule.TsyncNeedsEsrch),
        (InstallRule.TsyncNeedsEsrch, InstallRule.FprogFault),
        (InstallRule.KillableNeedsListener, InstallRule.FprogFault),
        (InstallRule.FprogFault, InstallRule.LengthRange),
        (InstallRule.LengthRange, InstallRule.NoPrivilege),
        (InstallRule.NoPrivilege, InstallRule.NullFilter),
        (InstallRule.NullFilter, InstallRule.LengthPastMapping),
        (InstallRule.FilterFault, InstallRule.LengthPastMapping),
        (InstallRule.LengthPastMapping, InstallRule.Checker),
        (InstallRule.Checker, InstallRule.StrictMode),
        (InstallRule.StrictMode, InstallRule.ListenerBusy),
        (InstallRule.ListenerBusy, InstallRule.PathLimit),
    ];

    static IEnumerable<TestCaseData> Pairs() =>
        Order.Select(p => new TestCaseData(p.First, p.Next).SetName($"{p.First}_comes_before_{p.Next}"));

    [TestCaseSource(nameof(Pairs))]
    public void A_rule_wins_over_the_next_one(InstallRule first, InstallRule next)
    {
        // Break the later rule first: breaking the earlier one must not undo it (strict mode after a listener's attach).
        var both = Breaks[first].Break(Breaks[next].Break(Base())).Decide();
        Assert.That((both.Errno, both.Rule), Is.EqualTo((Breaks[first].Errno, first)), both.ToString());
        var alone = Breaks[next].Break(Base()).Decide();
        Assert.That((alone.Errno, alone.Rule), Is.EqualTo((Breaks[next].Errno, next)), alone.ToString());
    }

    [Test]
    public void The_path_limit_comes_last_before_acceptance()
    {
        var full = Breaks[InstallRule.PathLimit].Break(Base());
        Assert.That(full.Decide().Rule, Is.EqualTo(InstallRule.PathLimit));
        var fits = full with { Request = full.Request with { Mapped = AllowAll, Length = 1 } };
        Assert.That(fits.Decide().Result, Is.EqualTo(InstallResult.ReturnsZero));
        var plain = Base().Decide();
        Assert.That((plain.Result, plain.Errno, plain.Rule), Is.EqualTo((InstallResult.ReturnsZero, 0, InstallRule.Accepted)));
    }

    [Test]
    public void The_checker_rule_and_instruction_come_with_a_checker_refusal()
    {
        var outcome = Breaks[InstallRule.Checker].Break(Base()).Decide();
        Assert.That((outcome.Check.Rule, outcome.Check.Pc), Is.EqualTo((CheckRule.LoadOffset, 0)));
    }

    [Test]
    public void A_length_past_the_readable_instructions_faults_but_a_shorter_one_checks_the_prefix()
    {
        var s = Base() with { Request = InstallRequest.Plain(InstallCall.Seccomp, [LdAbs(0), Ret(Allow), Stmt(0xff, 0)]) };
        Assert.That(s.Decide().Check.Rule, Is.EqualTo(CheckRule.UnknownOpcode));
        Assert.That((s with { Request = s.Request with { Length = 2 } }).Decide().Accepted, Is.True);
        Assert.That((s with { Request = s.Request with { Length = 4 } }).Decide().Rule, Is.EqualTo(InstallRule.LengthPastMapping));
    }

    [Test]
    public void Cap_sys_admin_without_no_new_privs_may_install()
    {
        var s = Base() with { Task = Base().Task with { NoNewPrivs = false, CapSysAdmin = true } };
        Assert.That(s.Decide().Accepted, Is.True);
    }

    [Test]
    public void Prctl_skips_the_flag_checks_and_needs_no_seccomp_syscall()
    {
        var s = Breaks[InstallRule.NoSyscall].Break(Base(call: InstallCall.Prctl));
        Assert.That(s.Decide().Accepted, Is.True);
        Assert.That(Breaks[InstallRule.NoFilterMode].Break(s).Decide().Rule, Is.EqualTo(InstallRule.NoFilterMode));
    }

    [Test]
    public void What_an_accepted_install_returns_depends_on_listener_and_threads()
    {
        Assert.That(Flags(Base(), SeccompFilterFlags.NewListener).Decide().Result, Is.EqualTo(InstallResult.ReturnsListenerFd));
        Assert.That(Flags(Base(), SeccompFilterFlags.Tsync).Decide().Result, Is.EqualTo(InstallResult.ReturnsZero), "one thread: nothing to sync");
        var threaded = Base();
        threaded.Task.SpawnThread();
        Assert.That(Flags(threaded, SeccompFilterFlags.Tsync).Decide().Result, Is.EqualTo(InstallResult.DependsOnOtherThreads));
        Assert.That(Flags(threaded, SeccompFilterFlags.Tsync | SeccompFilterFlags.NewListener | SeccompFilterFlags.TsyncEsrch).Decide().Result,
            Is.EqualTo(InstallResult.ReturnsListenerFd));
    }

    [Test]
    public void A_closed_listener_no_longer_makes_a_new_one_busy()
    {
        var busy = Breaks[InstallRule.ListenerBusy].Break(Base());
        var closed = busy with { Task = busy.Task.ListenerClosed(0) };
        Assert.That(closed.Decide().Result, Is.EqualTo(InstallResult.ReturnsListenerFd));
    }

    [Test]
    public void Flags_default_to_the_profiles_and_a_probe_overrides_them()
    {
        var listener = Flags(Base(KernelProfiles.Linux4_19), SeccompFilterFlags.NewListener);
        Assert.That(listener.Decide().Rule, Is.EqualTo(InstallRule.UnknownFlag), "NEW_LISTENER is 5.0");
        var backported = listener with { Kernel = listener.Kernel with { FilterFlags = listener.Kernel.FilterFlags | SeccompFilterFlags.NewListener } };
        Assert.That(backported.Decide().Accepted, Is.True);
        Assert.That(Base(KernelProfiles.Linux3_16).Decide().Rule, Is.EqualTo(InstallRule.NoSyscall), "seccomp(2) is 3.17");
    }

    [Test]
    public void Kernels_3_5_to_3_16_check_the_path_before_privilege_and_the_program()
    {
        foreach (var (profile, expected) in new[] { (KernelProfiles.Linux3_16, InstallRule.PathLimit), (KernelProfiles.Default, InstallRule.NoPrivilege) })
        {
            var s = Breaks[InstallRule.NoPrivilege].Break(Breaks[InstallRule.PathLimit].Break(Base(profile, InstallCall.Prctl)));
            Assert.That(s.Decide().Rule, Is.EqualTo(expected), profile.Name);
            var invalid = s with { Task = s.Task with { NoNewPrivs = true }, Request = s.Request with { Mapped = Repeat(LdAbs(1), 4096, Ret(Allow)) } };
            Assert.That(invalid.Decide().Rule, Is.EqualTo(profile == KernelProfiles.Linux3_16 ? InstallRule.PathLimit : InstallRule.Checker), profile.Name);
        }
    }

    [Test]
    public void A_null_filter_pointer_is_efault_on_3_x_kernels()
    {
        var s = Breaks[InstallRule.NullFilter].Break(Base(KernelProfiles.Linux3_16, InstallCall.Prctl));
        Assert.That((s.Decide().Errno, s.Decide().Rule), Is.EqualTo((Errnos.EFAULT, InstallRule.NullFilter)));
        Assert.That(Breaks[InstallRule.NullFilter].Break(Base()).Decide().Errno, Is.EqualTo(Errnos.EINVAL));
    }

    [Test]
    public void Apply_attaches_what_certainly_attached_and_nothing_else()
    {
        var s = Base();
        var (after, outcome) = SeccompInstall.Apply(s.Task, s.Kernel, s.Request);
        Assert.That((outcome.Accepted, after.Chain.Count, after.Mode), Is.EqualTo((true, 1, SeccompMode.Filter)));
        var (refused, _) = SeccompInstall.Apply(s.Task, s.Kernel, s.Request with { Length = 0 });
        Assert.That(refused.Chain.Count, Is.EqualTo(0));
        s.Task.SpawnThread();
        var (unsure, tsync) = SeccompInstall.Apply(s.Task, s.Kernel, Flags(s, SeccompFilterFlags.Tsync).Request);
        Assert.That((tsync.Result, unsure.Chain.Count), Is.EqualTo((InstallResult.DependsOnOtherThreads, 0)));
    }
}
