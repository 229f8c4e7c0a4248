using Tmds.Linux;

namespace Conformance.Machines.Tools;

/// <summary>
/// The clock-tick rate (USER_HZ) in which /proc/&lt;pid&gt;/stat counts a process's CPU time, asked of
/// the C library (sysconf) instead of assumed: QEMU's CPU time is what the benchmarks and the boot
/// figures compare, so a wrong rate would scale every figure.
/// </summary>
public static class ClockTicks
{
    /// <summary>&lt;unistd.h&gt;'s _SC_CLK_TCK on Linux (glibc and musl alike); Tmds.LibC has sysconf but not this name.</summary>
    const int ScClkTck = 2;

    public static long PerSecond { get; } = Ask();

    static long Ask()
    {
        long ticks = LibC.sysconf(ScClkTck);
        return ticks > 0 ? ticks : throw new InvalidOperationException($"sysconf(_SC_CLK_TCK) answered {ticks}");
    }
}
