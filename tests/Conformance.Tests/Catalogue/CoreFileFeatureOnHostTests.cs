using Conformance.Agent.Host;
using Conformance.Catalogue.Features;

namespace Conformance.Tests.Catalogue;

/// <summary>The probe reads core_pattern through the agent: core_file is there exactly when dumps are plain files in the working directory.</summary>
[Category("Host")]
public class CoreFileFeatureOnHostTests
{
    [Test]
    public async Task Core_file_follows_the_hosts_core_pattern()
    {
        await using var machine = new HostMachine();
        var session = await machine.StartAsync(CancellationToken.None);
        Conformance.Agent.Protocol.CaseResult? result = null;
        await foreach (var r in session.RunAsync([FeatureProbe.Request(machine.Arch, session.Hello.Helpers.Count > 0)], CancellationToken.None))
            result = r;
        var f = FeatureProbe.Interpret(result!, session.Hello);

        var pattern = File.ReadAllText("/proc/sys/kernel/core_pattern").Trim();
        Assert.That(f.Facts["core_pattern"], Is.EqualTo(pattern));
        bool plainName = !pattern.StartsWith('|') && !pattern.Contains('/');
        Assert.That(f.Has("core_file"), Is.EqualTo(plainName), $"core_pattern '{pattern}'");
    }
}
