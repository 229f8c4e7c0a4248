using Conformance.Machines.Host;
using Conformance.Executor.Features;
using Conformance.Model.Seccomp;

namespace Conformance.Tests.Catalogue;

/// <summary>The feature probe on the host kernel (6.x, root, IA32 emulation): it must see what is there.</summary>
[Category("Host")]
public class FeatureProbeOnHostTests
{
    static async Task<(KernelFeatures Features, string Arch)> ProbeHost()
    {
        await using var machine = new HostMachine();
        var session = await machine.StartAsync(CancellationToken.None);
        Conformance.Machines.Protocol.CaseResult? result = null;
        await foreach (var r in session.RunAsync([FeatureProbe.Request(machine.Arch, session.Hello.Helpers.Count > 0)], CancellationToken.None))
            result = r;
        return (FeatureProbe.Interpret(result!, session.Hello), machine.Arch);
    }

    [Test]
    public async Task The_probe_finds_mode_2_its_actions_flags_and_the_compat_abi()
    {
        var (f, arch) = await ProbeHost();
        Assert.That(f.PrctlNullErrno, Is.EqualTo(Errnos.EFAULT));
        Assert.That(f.Mode2, Is.True);
        Assert.That(f.Has("seccomp_syscall"), Is.True);
        Assert.That(f.ActionsAvail, Is.SupersetOf(new[] { "KILL_PROCESS", "TRAP", "ERRNO", "LOG", "ALLOW" }));
        Assert.That(f.FilterFlags, Is.SupersetOf(new[] { "TSYNC", "LOG", "NEW_LISTENER", "TSYNC_ESRCH" }));
        Assert.That(f.Has("notif_continue") && f.Has("notif_addfd"), Is.True, "a 6.x kernel has both: " + string.Join(" ", f.Present));
        if (arch == "x86_64")
            Assert.That(f.Has("int80") && f.Has("compat"), Is.True, string.Join(" ", f.Present));
    }

    /// <summary>On an honest kernel every witness that speaks agrees, and the real uses do speak.</summary>
    [Test]
    public async Task No_two_witnesses_disagree_on_this_kernel()
    {
        var (f, _) = await ProbeHost();
        var all = string.Join("\n", f.Witnessed.SelectMany(w => w.Witnesses.Select(x => $"{w.Feature}: {x}")));
        Assert.That(f.Disagreements, Is.Empty, all + "\n" + f.Facts.GetValueOrDefault("actions_avail"));
        foreach (var feature in new[] { "filter", "seccomp_syscall", "action:KILL_PROCESS", "action:KILL_THREAD", "action:TRAP", "action:ERRNO",
                     "action:USER_NOTIF", "action:TRACE", "action:LOG", "action:ALLOW", "flag:TSYNC", "flag:LOG", "flag:SPEC_ALLOW",
                     "flag:NEW_LISTENER", "flag:TSYNC_ESRCH", "flag:WAIT_KILLABLE_RECV", "notif_continue", "notif_addfd" })
        {
            var seen = f.Witnessed.Single(w => w.Feature == feature);
            Assert.That(seen.Witnesses.Count(w => w.Says == Sighting.Present), Is.GreaterThanOrEqualTo(2), $"{feature}\n{all}");
        }
    }

    /// <summary>core_file is there exactly when dumps are plain files in the working directory.</summary>
    [Test]
    public async Task Core_file_follows_the_hosts_core_pattern()
    {
        var (f, _) = await ProbeHost();
        var pattern = File.ReadAllText("/proc/sys/kernel/core_pattern").Trim();
        Assert.That(f.Facts["core_pattern"], Is.EqualTo(pattern));
        bool plainName = !pattern.StartsWith('|') && !pattern.Contains('/');
        Assert.That(f.Has("core_file"), Is.EqualTo(plainName), $"core_pattern '{pattern}'");
    }
}
