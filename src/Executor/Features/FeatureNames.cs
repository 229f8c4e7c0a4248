namespace Conformance.Executor.Features;

/// <summary>The feature names a case may need (docs/cases.md, "Features").</summary>
public static class FeatureNames
{
    public static readonly string[] Actions = ["KILL_PROCESS", "KILL_THREAD", "TRAP", "ERRNO", "USER_NOTIF", "TRACE", "LOG", "ALLOW"];
    public static readonly string[] Flags = ["TSYNC", "LOG", "SPEC_ALLOW", "NEW_LISTENER", "TSYNC_ESRCH", "WAIT_KILLABLE_RECV"];

    public static readonly string[] Plain =
    [
        "filter", "seccomp_syscall", "compat", "int80", "root", "checkpoint_restore", "audit", "notif_continue", "notif_addfd", "notif_addfd_send",
        "status_filters", "cache_debug", "user_ns", "kcmp", "core_file", "printk_unlimited",
    ];

    public static IEnumerable<string> All =>
        Plain.Concat(Actions.Select(a => "action:" + a)).Concat(Flags.Select(f => "flag:" + f));

    public static bool IsKnown(string name) => All.Contains(name);

    public static string Describe() => string.Join(", ", All);
}
