using Conformance.Model.Kernel;

namespace Conformance.Model.Seccomp;

/// <summary>The known kernel profiles, newest first, and the lookup from a release string.</summary>
public static class KernelProfiles
{
    const int X86Uretprobe = 335, X86Uprobe = 336;

    /// <summary>
    /// Linux 6.6: every flag, action and notification feature the model knows; 6.12 and 6.18 add
    /// only the uprobe bypass. Each older profile below takes away what its version lacked.
    /// </summary>
    public static readonly KernelProfile Linux6_6 = new() { Name = "linux-6.6", Since = new(6, 6) };

    /// <summary>uretprobe (x86_64 335) skips filters: upstream cf6cb56ef244, in Debian's 6.12.117.</summary>
    public static readonly KernelProfile Linux6_12 = Linux6_6 with
    {
        Name = "linux-6.12", Since = new(6, 12), FilterBypass = [(Abi.X86_64, X86Uretprobe)],
    };

    /// <summary>uprobe (x86_64 336) joins the bypass (measured on 6.18.44).</summary>
    public static readonly KernelProfile Linux6_18 = Linux6_12 with
    {
        Name = "linux-6.18", Since = new(6, 18), FilterBypass = [(Abi.X86_64, X86Uretprobe), (Abi.X86_64, X86Uprobe)],
    };

    /// <summary>Before SECCOMP_IOCTL_NOTIF_SET_FLAGS (6.6, "seccomp: add the synchronous mode for seccomp_unotify").</summary>
    public static readonly KernelProfile Linux6_0 = Linux6_6 with
    {
        Name = "linux-6.0", Since = new(6, 0), UserNotif = UserNotifFeatures.All & ~UserNotifFeatures.SetFlags,
    };

    /// <summary>The 6.1 series (Debian bookworm) has 6.0's rules; named for the series this is the default for.</summary>
    public static readonly KernelProfile Linux6_1 = Linux6_0 with { Name = "linux-6.1", Since = new(6, 1) };

    /// <summary>Before "signal: Guarantee that SIGNAL_GROUP_EXIT is set on process exit" (posted 2022-06, merged for 6.0).</summary>
    public static readonly KernelProfile Linux5_19 = Linux6_0 with { Name = "linux-5.19", Since = new(5, 19), LastThreadSetsGroupExit = false };

    /// <summary>Before WAIT_KILLABLE_RECV (5.19); ADDFD_FLAG_SEND is there (5.14).</summary>
    public static readonly KernelProfile Linux5_14 = Linux5_19 with
    {
        Name = "linux-5.14", Since = new(5, 14),
        FilterFlags = Linux5_19.FilterFlags & ~SeccompFilterFlags.WaitKillableRecv,
    };

    /// <summary>The 5.15 LTS series: 5.14's rules.</summary>
    public static readonly KernelProfile Linux5_15 = Linux5_14 with { Name = "linux-5.15", Since = new(5, 15) };

    /// <summary>Before SECCOMP_ADDFD_FLAG_SEND (5.14); the action cache is there (5.11).</summary>
    public static readonly KernelProfile Linux5_11 = Linux5_14 with
    {
        Name = "linux-5.11", Since = new(5, 11), UserNotif = Linux5_14.UserNotif & ~UserNotifFeatures.AddfdSend,
    };

    /// <summary>Before the 5.11 action cache; SECCOMP_IOCTL_NOTIF_ADDFD is there (5.9).</summary>
    public static readonly KernelProfile Linux5_9 = Linux5_11 with { Name = "linux-5.9", Since = new(5, 9), HasActionCache = false };

    /// <summary>The 5.10 LTS series (Debian bullseye): 5.9's rules.</summary>
    public static readonly KernelProfile Linux5_10 = Linux5_9 with { Name = "linux-5.10", Since = new(5, 10) };

    /// <summary>Before SECCOMP_IOCTL_NOTIF_ADDFD (5.9); TSYNC_ESRCH is there (5.7).</summary>
    public static readonly KernelProfile Linux5_7 = Linux5_9 with
    {
        Name = "linux-5.7", Since = new(5, 7), UserNotif = UserNotifFeatures.Continue,
    };

    /// <summary>Before TSYNC_ESRCH (5.7); USER_NOTIF_FLAG_CONTINUE is there (5.5).</summary>
    public static readonly KernelProfile Linux5_5 = Linux5_7 with
    {
        Name = "linux-5.5", Since = new(5, 5), FilterFlags = Linux5_7.FilterFlags & ~SeccompFilterFlags.TsyncEsrch,
    };

    /// <summary>Before USER_NOTIF_FLAG_CONTINUE (5.5): USER_NOTIF with RECV, SEND and ID_VALID only.</summary>
    public static readonly KernelProfile Linux5_0 = Linux5_5 with { Name = "linux-5.0", Since = new(5, 0), UserNotif = UserNotifFeatures.None };

    /// <summary>The 5.4 LTS series: 5.0's rules.</summary>
    public static readonly KernelProfile Linux5_4 = Linux5_0 with { Name = "linux-5.4", Since = new(5, 4) };

    /// <summary>Before USER_NOTIF and NEW_LISTENER (5.0); SPEC_ALLOW is there (4.17) and ERRNO is capped.</summary>
    public static readonly KernelProfile Linux4_17 = Linux5_0 with
    {
        Name = "linux-4.17", Since = new(4, 17), HasUserNotif = false,
        FilterFlags = SeccompFilterFlags.Tsync | SeccompFilterFlags.Log | SeccompFilterFlags.SpecAllow,
    };

    /// <summary>The 4.19 LTS series: 4.17's rules.</summary>
    public static readonly KernelProfile Linux4_19 = Linux4_17 with { Name = "linux-4.19", Since = new(4, 19) };

    /// <summary>
    /// Before SPEC_ALLOW (4.17) and the ERRNO cap (580c57f10768, 4.15 or 4.16 [unverified]: 4.15 and
    /// 4.16 are judged without the cap).
    /// </summary>
    public static readonly KernelProfile Linux4_14 = Linux4_17 with
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

    /// <summary>Newest first: <see cref="ForRelease"/> takes the first whose <c>Since</c> is not after the release.</summary>
    public static IReadOnlyList<KernelProfile> All { get; } =
    [
        Linux6_18, Linux6_12, Linux6_6, Linux6_1, Linux6_0, Linux5_19, Linux5_15, Linux5_14, Linux5_11, Linux5_10, Linux5_9,
        Linux5_7, Linux5_5, Linux5_4, Linux5_0, Linux4_19, Linux4_17, Linux4_14, Linux4_9, Linux4_4, Linux3_16, Linux3_10, Precise3_2,
    ];

    public static KernelProfile Default => Linux6_1;

    /// <summary>
    /// By name ("linux-6.12", "6.12", "default", "precise"). A series without a profile of its own
    /// ("linux-5.12") gets the profile that judges its releases.
    /// </summary>
    public static KernelProfile? ByName(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        if (n is "default") return Default;
        if (n is "latest") return Linux6_18;
        if (n is "precise") return Precise3_2;
        foreach (var p in All)
            if (p.Name == n || p.Name == "linux-" + n)
                return p;
        var series = n.StartsWith("linux-", StringComparison.Ordinal) ? n["linux-".Length..] : n;
        return ParseRelease(series) is { } v && v >= Linux3_10.Since && v <= All[0].Since ? ForRelease(series) : null;
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
