using System.Diagnostics;
using Conformance.Machines.Tools;

namespace Conformance.Tests.Machines;

public class ClockTicksTests
{
    /// <summary>Two witnesses of USER_HZ: the harness's sysconf through Tmds.LibC and getconf(1), a separate program.</summary>
    [Test]
    public void The_clock_tick_rate_is_what_getconf_reports()
    {
        var psi = new ProcessStartInfo("getconf", ["CLK_TCK"]) { RedirectStandardOutput = true };
        using var getconf = Process.Start(psi)!;
        var text = getconf.StandardOutput.ReadToEnd().Trim();
        getconf.WaitForExit();
        Assert.That(ClockTicks.PerSecond, Is.EqualTo(long.Parse(text)));
    }
}
