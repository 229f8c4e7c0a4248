using Conformance.Model.Seccomp;
using Conformance.Model.Task;
using static Conformance.Tests.Model.Bpf;

namespace Conformance.Tests.Model;

/// <summary>Precedence across stacked filters: newest first, strictly most restrictive wins, ties go to the newest.</summary>
public class StackingTests
{
    static Verdict Stack(KernelProfile profile, params uint[] returns)
    {
        var chain = new InstallingTask(profile);
        foreach (var r in returns)
            Assert.That(chain.Install([Ret(r)]).Accepted, Is.True);
        return chain.Evaluate(new SeccompData(39, AuditArch.X86_64));
    }

    static Verdict Stack(params uint[] returns) => Stack(KernelProfiles.Default, returns);

    /// <summary>The documented order, most restrictive first.</summary>
    static readonly (uint Ret, SeccompAction Action)[] Order =
    [
        (0x80000000, SeccompAction.KillProcess),
        (0x00000000, SeccompAction.KillThread),
        (0x00030000, SeccompAction.Trap),
        (0x00050000, SeccompAction.Errno),
        (0x7fc00000, SeccompAction.UserNotif),
        (0x7ff00000, SeccompAction.Trace),
        (0x7ffc0000, SeccompAction.Log),
        (0x7fff0000, SeccompAction.Allow),
    ];

    [Test]
    public void Every_pair_in_both_orders_the_more_restrictive_action_wins()
    {
        for (int i = 0; i < Order.Length; i++)
            for (int j = 0; j < Order.Length; j++)
            {
                if (i == j) continue;
                var winner = Order[Math.Min(i, j)];
                var v = Stack(Order[i].Ret | 1, Order[j].Ret | 2);
                Assert.That(v.Action, Is.EqualTo(winner.Action), $"{Order[i].Action} then {Order[j].Action}");
                Assert.That(v.Filter, Is.EqualTo(i < j ? 0 : 1));
            }
    }

    [Test]
    public void All_eight_in_any_order_the_kill_process_filter_wins()
    {
        var rets = Order.Select(o => o.Ret).ToArray();
        var rng = new Random(7);
        for (int n = 0; n < 50; n++)
        {
            rng.Shuffle(rets);
            var v = Stack(rets);
            Assert.That(v.Action, Is.EqualTo(SeccompAction.KillProcess));
            Assert.That(v.Filter, Is.EqualTo(Array.IndexOf(rets, 0x80000000u)));
        }
    }

    [Test]
    public void On_a_tie_the_newest_filter_and_its_data_win()
    {
        // The selftest's ERRNO_order: 11, 13, 12 installed in that order gives 12.
        var v = Stack(Errno(11), Errno(13), Errno(12));
        Assert.That(v, Is.EqualTo(new Verdict(SeccompAction.Errno, 12, Errno(12), 2)));
        Assert.That(Stack(SeccompRet.Trap | 5, SeccompRet.Trap | 9).Data, Is.EqualTo(9));
    }

    [Test]
    public void With_no_filter_or_only_allow_the_answer_is_allow_from_no_filter()
    {
        Assert.That(Stack(), Is.EqualTo(Verdict.DefaultAllow));
        Assert.That(Stack(Allow, Allow).Filter, Is.EqualTo(-1));
    }

    [Test]
    public void Allow_with_data_is_still_allow_but_it_was_not_the_starting_value()
    {
        var v = Stack(Allow | 5);
        Assert.That(v.Action, Is.EqualTo(SeccompAction.Allow));
        Assert.That(v.Filter, Is.EqualTo(-1), "0x7fff0005 does not beat the initial 0x7fff0000: same ACTION_FULL");
    }

    [Test]
    public void Unknown_values_rank_by_their_signed_value_and_kill_the_process()
    {
        // 0x90000000 lies between KILL_PROCESS and KILL_THREAD.
        var v = Stack(SeccompRet.KillThread, 0x90000000);
        Assert.That((v.Action, v.Filter), Is.EqualTo((SeccompAction.KillProcess, 1)));
        Assert.That(Stack(0x90000000, SeccompRet.KillProcess).Ret, Is.EqualTo(0x80000000u));
        // 0x10000000 lies between ERRNO and USER_NOTIF: it beats notify, loses to errno.
        Assert.That(Stack(SeccompRet.UserNotif, 0x10000000).Action, Is.EqualTo(SeccompAction.KillProcess));
        Assert.That(Stack(0x10000000, Errno(3)).Action, Is.EqualTo(SeccompAction.Errno));
        // 0x7ffe0000 lies between LOG and ALLOW.
        Assert.That(Stack(Allow, 0x7ffe0000).Action, Is.EqualTo(SeccompAction.KillProcess));
        Assert.That(Stack(SeccompRet.Log, 0x7ffe0000).Action, Is.EqualTo(SeccompAction.Log));
        // A known action with stray high bits is unknown: 0x80050001.
        Assert.That(Stack(0x80050001).Action, Is.EqualTo(SeccompAction.KillProcess));
        Assert.That(Stack(0x00010000).Action, Is.EqualTo(SeccompAction.KillProcess));
    }

    [Test]
    public void Errno_data_is_capped_at_4095_but_ret_keeps_the_value()
    {
        var v = Stack(Errno(5000));
        Assert.That((v.Data, v.Ret), Is.EqualTo(((ushort)4095, Errno(5000))));
        Assert.That(Stack(Errno(4095)).Data, Is.EqualTo(4095));
        Assert.That(Stack(Errno(0)).Data, Is.EqualTo(0));
    }

    [Test]
    public void Trap_and_trace_data_are_16_bits_uncapped()
    {
        Assert.That(Stack(SeccompRet.Trap | 0xffff).Data, Is.EqualTo(0xffff));
        Assert.That(Stack(SeccompRet.Trace | 0x1001).Data, Is.EqualTo(0x1001));
    }

    [Test]
    public void A_kill_process_cannot_be_downgraded_by_a_later_kill_thread()
    {
        var v = Stack(SeccompRet.KillProcess, SeccompRet.KillThread);
        Assert.That((v.Action, v.Filter), Is.EqualTo((SeccompAction.KillProcess, 0)));
    }

    [Test]
    public void Filters_see_the_same_data_and_the_chain_is_evaluated_per_call()
    {
        var chain = new InstallingTask(KernelProfiles.Default);
        // Filter 0: ERRNO(1) for nr 39. Filter 1: TRAP for arg0 == 5.
        chain.Install([LdAbs(0), Jump(0x15, 39, 0, 1), Ret(Errno(1)), Ret(Allow)]);
        chain.Install([LdAbs(16), Jump(0x15, 5, 0, 1), Ret(SeccompRet.Trap), Ret(Allow)]);
        Assert.That(chain.Evaluate(new SeccompData(39, AuditArch.X86_64, 0, 0)).Action, Is.EqualTo(SeccompAction.Errno));
        Assert.That(chain.Evaluate(new SeccompData(39, AuditArch.X86_64, 0, 5)).Action, Is.EqualTo(SeccompAction.Trap));
        Assert.That(chain.Evaluate(new SeccompData(40, AuditArch.X86_64, 0, 5)).Action, Is.EqualTo(SeccompAction.Trap));
        Assert.That(chain.Evaluate(new SeccompData(40, AuditArch.X86_64, 0, 6)), Is.EqualTo(Verdict.DefaultAllow));
    }

    [Test]
    public void Path_limit_counts_each_attached_filter_plus_four()
    {
        // One 1-insn filter, then 4096-insn filters: the 8th fails. The kernel counts prog->len after
        // the eBPF conversion: 3 prologue instructions, and RET K takes 2, so `ret` costs 5 and
        // 4095 loads + ret cost 4100.
        var chain = new InstallingTask(KernelProfiles.Default);
        Assert.That(chain.Install([Ret(Allow)]).Accepted, Is.True);
        var big = Repeat(LdAbs(0), 4096, Ret(Allow));
        for (int n = 1; n <= 7; n++)
            Assert.That(chain.Install(big).Errno, Is.EqualTo(0), $"big filter {n}");
        var eighth = chain.Install(big);
        Assert.That((eighth.Errno, eighth.Rule), Is.EqualTo((Errnos.ENOMEM, InstallRule.PathLimit)));
        Assert.That(chain.Count, Is.EqualTo(8));
        // (5 + 4) + 7 * (4100 + 4) = 28737 used: a new filter may convert to 32768 - 28737 = 4031.
        Assert.That(chain.PathCost, Is.EqualTo(28737));
        Assert.That(chain.Install(Repeat(LdAbs(0), 4028, Ret(Allow))).Errno, Is.EqualTo(Errnos.ENOMEM));
        Assert.That(chain.Install(Repeat(LdAbs(0), 4027, Ret(Allow))).Errno, Is.EqualTo(0));
    }

    [Test]
    public void The_selftests_all_ret_filters_overflow_the_path_at_the_fourth()
    {
        // filter_chain_limits stacks 4096 x `ret ALLOW` (8195 converted instructions each) after one
        // `ret ALLOW`: measured on Linux 6.18, the 4th big install gets ENOMEM.
        var chain = new InstallingTask(KernelProfiles.Default);
        Assert.That(chain.Install([Ret(Allow)]).Accepted, Is.True);
        var big = Repeat(Ret(Allow), 4096, Ret(Allow));
        for (int n = 1; n <= 3; n++)
            Assert.That(chain.Install(big).Errno, Is.EqualTo(0), $"big filter {n}");
        Assert.That(chain.Install(big).Errno, Is.EqualTo(Errnos.ENOMEM));
    }

    [Test]
    public void Kernels_that_check_the_path_first_count_the_classic_length()
    {
        var chain = new FilterChain(KernelProfiles.Linux3_16);
        var big = Repeat(Ret(Allow), 4096, Ret(Allow));
        Assert.That(chain.PathLength(big), Is.EqualTo(4096));
        Assert.That(new FilterChain(KernelProfiles.Default).PathLength(big), Is.EqualTo(3 + 2 * 4096));
    }

    [Test]
    public void An_invalid_filter_is_not_attached()
    {
        var chain = new InstallingTask(KernelProfiles.Default);
        Assert.That(chain.Install([LdAbs(1), RetA]).Errno, Is.EqualTo(Errnos.EINVAL));
        Assert.That(chain.Count, Is.EqualTo(0));
    }
}
