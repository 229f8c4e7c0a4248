namespace Conformance.Model.Seccomp;

/// <summary>What the kernel does with a filter's verdict (the action half of a return value).</summary>
public enum SeccompAction
{
    KillProcess,
    KillThread,
    Trap,
    Errno,
    UserNotif,
    Trace,
    Log,
    Allow,
}

/// <summary>SECCOMP_RET_* values from include/uapi/linux/seccomp.h.</summary>
public static class SeccompRet
{
    public const uint KillProcess = 0x80000000;
    public const uint KillThread = 0x00000000;
    public const uint Trap = 0x00030000;
    public const uint Errno = 0x00050000;
    public const uint UserNotif = 0x7fc00000;
    public const uint Trace = 0x7ff00000;
    public const uint Log = 0x7ffc0000;
    public const uint Allow = 0x7fff0000;

    public const uint ActionFull = 0xffff0000;
    public const uint ActionMask = 0x7fff0000; // pre-4.14 SECCOMP_RET_ACTION
    public const uint DataMask = 0x0000ffff;
    public const int MaxErrno = 4095;

    public static string Name(SeccompAction action) => action switch
    {
        SeccompAction.KillProcess => "KILL_PROCESS",
        SeccompAction.KillThread => "KILL_THREAD",
        SeccompAction.Trap => "TRAP",
        SeccompAction.Errno => "ERRNO",
        SeccompAction.UserNotif => "USER_NOTIF",
        SeccompAction.Trace => "TRACE",
        SeccompAction.Log => "LOG",
        SeccompAction.Allow => "ALLOW",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    public static bool TryParse(string name, out SeccompAction action)
    {
        foreach (var a in Enum.GetValues<SeccompAction>())
            if (string.Equals(Name(a), name, StringComparison.OrdinalIgnoreCase)) { action = a; return true; }
        action = default;
        return false;
    }

    /// <summary>The return value that names an action with zero data.</summary>
    public static uint ValueOf(SeccompAction action) => action switch
    {
        SeccompAction.KillProcess => KillProcess,
        SeccompAction.KillThread => KillThread,
        SeccompAction.Trap => Trap,
        SeccompAction.Errno => Errno,
        SeccompAction.UserNotif => UserNotif,
        SeccompAction.Trace => Trace,
        SeccompAction.Log => Log,
        SeccompAction.Allow => Allow,
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };
}
