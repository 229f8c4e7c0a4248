using Conformance.Executor.Features;
using Conformance.Model.Seccomp;

namespace Conformance.Tests.Executor;

/// <summary>FeatureProbe.Interpret over synthetic kernels: witnesses that agree decide; witnesses that disagree fail detection and the feature runs.</summary>
public class FeatureWitnessTests
{
    static readonly string[] Decided =
    [
        "filter", "seccomp_syscall", .. FeatureNames.Actions.Select(a => "action:" + a), .. FeatureNames.Flags.Select(f => "flag:" + f),
    ];

    [Test]
    public void Witnesses_that_agree_on_a_kernel_with_filters_find_every_feature_and_no_disagreement()
    {
        var f = ProbeKernel.WithFilters().Interpret();
        Assert.That(f.Disagreements, Is.Empty);
        Assert.That(f.Present, Is.SupersetOf(Decided.Append("notif_continue").Append("notif_addfd")));
        foreach (var feature in Decided.Append("notif_continue").Append("notif_addfd"))
            Assert.That(f.Witnessed.Single(w => w.Feature == feature).Witnesses.Count(w => w.Says == Sighting.Present), Is.GreaterThanOrEqualTo(2), feature);
    }

    [Test]
    public void Witnesses_that_agree_on_a_kernel_without_filters_find_none_even_though_action_avail_says_yes()
    {
        var f = ProbeKernel.WithoutFilters().Interpret();
        Assert.That(f.Disagreements, Is.Empty, string.Join("\n", f.Disagreements.Select(d => d.Reason)));
        Assert.That(f.Present.Intersect(Decided.Append("notif_continue").Append("notif_addfd")), Is.Empty);
        Assert.That(f.Mode2, Is.False);
    }

    [Test]
    public void A_null_probe_that_says_yes_against_an_install_that_fails_is_a_disagreement_and_filter_counts_present()
    {
        var f = ProbeKernel.WithoutFilters().Ret(FeatureProbe.PrctlNull, -Errnos.EFAULT).Interpret();
        var d = f.Disagreements.Single();
        Assert.That(d.Feature, Is.EqualTo("filter"));
        Assert.That(d.Saw.Name, Is.EqualTo("prctl(PR_SET_SECCOMP, 2, NULL)"));
        Assert.That(d.Missed.Name, Is.EqualTo("seccomp(SET_MODE_FILTER, 0, NULL)"), "the first witness that saw it missing");
        Assert.That(d.CaseId, Is.EqualTo("detection/witness/filter"));
        Assert.That(d.Reason, Does.Contain("EFAULT").And.Contain("EINVAL"));
        Assert.That(f.Mode2, Is.True, "the dependent cases run and are judged");
    }

    [Test]
    public void A_null_probe_that_says_no_against_a_filter_that_installs_is_a_disagreement_and_filter_counts_present()
    {
        var f = ProbeKernel.WithFilters().Ret(FeatureProbe.PrctlNull, -Errnos.EINVAL).Interpret();
        var d = f.Disagreements.Single();
        Assert.That((d.Feature, d.Missed.Name, d.Missed.Answer), Is.EqualTo(("filter", "prctl(PR_SET_SECCOMP, 2, NULL)", "EINVAL")));
        Assert.That(f.Mode2, Is.True);
    }

    [Test]
    public void A_status_file_that_hides_the_filter_is_a_disagreement()
    {
        var f = ProbeKernel.WithFilters().Status("Seccomp:\t0\n").Interpret();
        Assert.That(f.Disagreements.Single().Missed.Answer, Is.EqualTo("Seccomp: 0"));
    }

    [Test]
    public void An_action_that_action_avail_offers_but_a_filter_cannot_return_is_a_disagreement_and_counts_present()
    {
        // A kernel that lists LOG but treats it as unknown kills the caller.
        var f = ProbeKernel.WithFilters().Effect("LOG", "KILL_THREAD").Interpret();
        var d = f.Disagreements.Single();
        Assert.That((d.Feature, d.Saw.Name), Is.EqualTo(("action:LOG", "SECCOMP_GET_ACTION_AVAIL")));
        Assert.That(d.Missed.Answer, Does.Contain("killed by signal 31"));
        Assert.That(f.Has("action:LOG"), Is.True);
    }

    [Test]
    public void An_action_that_action_avail_denies_but_a_filter_returns_is_a_disagreement()
    {
        var i = Array.IndexOf(FeatureNames.Actions, "KILL_PROCESS");
        var f = ProbeKernel.WithFilters().Ret((ushort)(FeatureProbe.ActionBase + i), -Errnos.EOPNOTSUPP)
            .File(FeatureProbe.ActionsSysctl, "kill_thread trap errno user_notif trace log allow\n").Interpret();
        Assert.That(f.Disagreements.Select(d => (d.Feature, d.Missed.Name)), Is.EquivalentTo(new[]
        {
            ("action:KILL_PROCESS", "SECCOMP_GET_ACTION_AVAIL"),
        }), "the first absent witness is named");
        Assert.That(f.Has("action:KILL_PROCESS"), Is.True);
    }

    [Test]
    public void A_flag_the_null_probe_denies_but_a_real_install_accepts_is_a_disagreement_and_counts_present()
    {
        int tsync = Array.FindIndex(WitnessProbes.Flags, x => x.Name == "TSYNC");
        var f = ProbeKernel.WithFilters().Ret((ushort)(FeatureProbe.FlagBase + tsync), -Errnos.EINVAL).Interpret();
        var d = f.Disagreements.Single();
        Assert.That((d.Feature, d.Saw.Answer, d.Missed.Answer), Is.EqualTo(("flag:TSYNC", "ret 0", "EINVAL")));
        Assert.That(f.FilterFlags, Does.Contain("TSYNC"));
    }

    [Test]
    public void A_flag_the_null_probe_offers_but_a_real_install_refuses_is_a_disagreement()
    {
        int log = Array.FindIndex(WitnessProbes.Flags, x => x.Name == "LOG");
        var f = ProbeKernel.WithFilters().Ret(WitnessProbes.FlagStep(log, WitnessProbes.Install), -Errnos.EINVAL).Interpret();
        Assert.That(f.Disagreements.Single().Feature, Is.EqualTo("flag:LOG"));
        Assert.That(f.Has("flag:LOG"), Is.True);
    }

    [Test]
    public void A_kernel_that_knows_continue_for_an_unknown_id_but_refuses_it_in_a_real_notification_disagrees()
    {
        var f = ProbeKernel.WithFilters().Ret(NotificationRoundTrip.Continue, -Errnos.EINVAL).Ret(NotificationRoundTrip.Fallback, 0)
            .Ret(NotificationRoundTrip.CallerCall, -Errnos.EPERM).Interpret();
        var d = f.Disagreements.Single();
        Assert.That((d.Feature, d.Saw.Answer, d.Missed.Name), Is.EqualTo(("notif_continue", "ENOENT", "a notification answered with CONTINUE")));
        Assert.That(d.Missed.Answer, Is.EqualTo("SEND EINVAL, getppid EPERM"));
        Assert.That(f.Has("notif_continue"), Is.True);
    }

    [Test]
    public void The_kernel_config_is_a_witness_of_filter_mode()
    {
        var honest = ConfigWitness.Apply(ProbeKernel.WithFilters().Interpret(), new Dictionary<string, string> { ["SECCOMP_FILTER"] = "y" });
        Assert.That(honest.Disagreements, Is.Empty);
        Assert.That(honest.Witnessed.Single(w => w.Feature == "filter").Witnesses.Select(w => w.Name), Does.Contain(ConfigWitness.Name));

        var lying = ConfigWitness.Apply(ProbeKernel.WithoutFilters().Interpret(), new Dictionary<string, string> { ["SECCOMP_FILTER"] = "y" });
        Assert.That(lying.Disagreements.Single().Saw.Name, Is.EqualTo(ConfigWitness.Name));
        Assert.That(lying.Mode2, Is.True);

        var unknown = ConfigWitness.Apply(ProbeKernel.WithoutFilters().Interpret(), new Dictionary<string, string>());
        Assert.That(unknown.Witnessed.Single(w => w.Feature == "filter").Witnesses.Select(w => w.Name), Does.Not.Contain(ConfigWitness.Name));
    }
}
