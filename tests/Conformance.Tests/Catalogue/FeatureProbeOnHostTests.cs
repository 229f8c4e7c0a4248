using Conformance.Agent.Host;
using Conformance.Catalogue.Features;
using Conformance.Model.Seccomp;

namespace Conformance.Tests.Catalogue;

/// <summary>The feature probe on the host kernel (6.x, root, IA32 emulation): it must see what is there.</summary>
[Category("Host")]
public class FeatureProbeOnHostTests
{
    [Test]
    public async Task The_probe_finds_mode_2_its_actions_flags_and_the_compat_abi()
    {
        await using var machine = new HostMachine();
        var session = await machine.StartAsync(CancellationToken.None);
        Conformance.Agent.Protocol.CaseResult? result = null;
        await foreach (var r in session.RunAsync([FeatureProbe.Request(machine.Arch, session.Hello.Helpers.Count > 0)], CancellationToken.None))
            result = r;
        var f = FeatureProbe.Interpret(result!, session.Hello);
        Assert.That(f.PrctlNullErrno, Is.EqualTo(Errnos.EFAULT));
        Assert.That(f.Mode2, Is.True);
        Assert.That(f.Has("seccomp_syscall"), Is.True);
        Assert.That(f.ActionsAvail, Is.SupersetOf(new[] { "KILL_PROCESS", "TRAP", "ERRNO", "LOG", "ALLOW" }));
        Assert.That(f.FilterFlags, Is.SupersetOf(new[] { "TSYNC", "LOG", "NEW_LISTENER", "TSYNC_ESRCH" }));
        Assert.That(f.Has("notif_continue") && f.Has("notif_addfd"), Is.True, "a 6.x kernel has both: " + string.Join(" ", f.Present));
        if (machine.Arch == "x86_64")
            Assert.That(f.Has("int80") && f.Has("compat"), Is.True, string.Join(" ", f.Present));
    }
}
