using Conformance.Model.Kernel;

namespace Conformance.Model.Seccomp;

/// <summary>The known kernel profiles, newest first, and the lookup from a release string.</summary>
public static class KernelProfiles
{
    const int X86Uretprobe = 335, X86Uprobe = 336;

    /// <summary>
    /// Linux 6.1 to 6.18 agree on everything the evaluator models except the uprobe bypass,
    /// which the 6.12 and 6.18 profiles add. This is the default for `eval`.
    /// </summary>
    public static readonly KernelProfile Linux6_1 = new() { Name = "linux-6.1", Since = new(6, 1) };

    /// <summary>uretprobe (x86_64 335) skips filters: upstream cf6cb56ef244, in Debian's 6.12.117.</summary>
    public static readonly KernelProfile Linux6_12 = Linux6_1 with
    {
        Name = "linux-6.12", Since = new(6, 12), FilterBypass = [(Abi.X86_64, X86Uretprobe)],
    };

    /// <summary>uprobe (x86_64 336) joins the bypass (measured on 6.18.44).</summary>
    public static readonly KernelProfile Linux6_18 = Linux6_12 with
    {
        Name = "linux-6.18", Since = new(6, 18), FilterBypass = [(Abi.X86_64, X86Uretprobe), (Abi.X86_64, X86Uprobe)],
    };

    /// <summary>Before the 5.11 action cache and WAIT_KILLABLE_RECV (5.19).</summary>
    public static readonly KernelProfile Linux5_10 = Linux6_1 with
    {
        Name = "linux-5.10", Since = new(5, 10), HasActionCache = false,
        FilterFlags = Linux6_1.FilterFlags & ~SeccompFilterFlags.WaitKillableRecv,
    };

    /// <summary>Before USER_NOTIF and NEW_LISTENER (5.0) and TSYNC_ESRCH (5.7).</summary>
    public static readonly KernelProfile Linux4_19 = Linux5_10 with
    {
        Name = "linux-4.19", Since = new(4, 19), HasUserNotif = false,
        FilterFlags = SeccompFilterFlags.Tsync | SeccompFilterFlags.Log | SeccompFilterFlags.SpecAllow,
    };

    /// <summary>Before the ERRNO cap and SPEC_ALLOW (4.17, so a 4.17 or 4.18 kernel needs its probe).</summary>
    public static readonly KernelProfile Linux4_14 = Linux4_19 with
    {
        Name = "linux-4.14", Since = new(4, 14), CapsErrno = false,
        FilterFlags = SeccompFilterFlags.Tsync | SeccompFilterFlags.Log,
    };

    /// <summary>Before KILL_PROCESS, LOG (action and flag) and the signed ACTION_FULL compare (4.14).</summary>
    public static readonly KernelProfile Linux4_9 = Linux4_14 with
    {
        Name = "linux-4.9", Since = new(4, 9), FullActionCompare = false, HasLog = false,
        FilterFlags = SeccompFilterFlags.Tsync,
    };

    /// <summary>Before the recheck after RET_TRACE (4.8).</summary>
    public static readonly KernelProfile Linux4_4 = Linux4_9 with { Name = "linux-4.4", Since = new(4, 4), RechecksAfterTrace = false };

    /// <summary>3.5-3.16: path limit checked first; 3.x NULL filter pointer gives EFAULT; no seccomp(2) before 3.17.</summary>
    public static readonly KernelProfile Linux3_16 = Linux4_4 with
    {
        Name = "linux-3.16", Since = new(3, 16), PathLimitBeforeChecks = true, NullFilterIsEinval = false,
        HasSeccompSyscall = false, FilterFlags = SeccompFilterFlags.None,
    };

    /// <summary>Before 3.14 DIV by a constant was a reciprocal multiply.</summary>
    public static readonly KernelProfile Linux3_10 = Linux3_16 with { Name = "linux-3.10", Since = new(3, 10), ReciprocalDivide = true };

    /// <summary>
    /// Ubuntu Precise's 3.2 backport of mode 2 (3.5-era code): no XOR in seccomp's whitelist
    /// [unverified], no constant-shift check [unverified].
    /// </summary>
    public static readonly KernelProfile Precise3_2 = Linux3_10 with
    {
        Name = "ubuntu-3.2-precise", Since = new(3, 2), AllowsXor = false, RejectsLargeConstantShift = false,
    };

    public static IReadOnlyList<KernelProfile> All { get; } =
        [Linux6_18, Linux6_12, Linux6_1, Linux5_10, Linux4_19, Linux4_14, Linux4_9, Linux4_4, Linux3_16, Linux3_10, Precise3_2];

    public static KernelProfile Default => Linux6_1;

    /// <summary>By name ("linux-6.12", "6.12", "default", "precise").</summary>
    public static KernelProfile? ByName(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        if (n is "default") return Default;
        if (n is "latest") return Linux6_18;
        if (n is "precise") return Precise3_2;
        foreach (var p in All)
            if (p.Name == n || p.Name == "linux-" + n)
                return p;
        return null;
    }

    /// <summary>The profile for a kernel release such as "6.1.0-56-cloud-amd64" or "6.12.117+deb12-cloud-arm64".</summary>
    public static KernelProfile ForRelease(string release)
    {
        var v = ParseRelease(release) ?? throw new FormatException($"cannot read a kernel version from '{release}'");
        foreach (var p in All)
            if (v >= p.Since)
                return p;
        return Precise3_2;
    }

    public static Version? ParseRelease(string release)
    {
        var digits = new List<int>();
        int i = 0;
        while (digits.Count < 3 && i < release.Length && char.IsAsciiDigit(release[i]))
        {
            int n = 0;
            while (i < release.Length && char.IsAsciiDigit(release[i]))
                n = n * 10 + (release[i++] - '0');
            digits.Add(n);
            if (i < release.Length && release[i] == '.') i++; else break;
        }
        return digits.Count switch
        {
            >= 3 => new Version(digits[0], digits[1], digits[2]),
            2 => new Version(digits[0], digits[1]),
            _ => null,
        };
    }
}
