namespace Conformance.Model.Kernel;

/// <summary>
/// The kernel ABI numbers case steps are made of (include/uapi/linux/{prctl,ptrace,seccomp,
/// capability,wait,signal}.h; identical on x86 and arm). Named here once so cases can spell them.
/// </summary>
public static class KernelConstants
{
    public const int PR_SET_DUMPABLE = 4, PR_GET_SECCOMP = 21, PR_SET_SECCOMP = 22, PR_SET_NO_NEW_PRIVS = 38, PR_GET_NO_NEW_PRIVS = 39;
    public const int SECCOMP_MODE_STRICT = 1, SECCOMP_MODE_FILTER = 2;
    public const int SECCOMP_SET_MODE_STRICT = 0, SECCOMP_SET_MODE_FILTER = 1, SECCOMP_GET_ACTION_AVAIL = 2, SECCOMP_GET_NOTIF_SIZES = 3;

    public static readonly IReadOnlyDictionary<string, uint> FilterFlags = new Dictionary<string, uint>(StringComparer.OrdinalIgnoreCase)
    {
        ["TSYNC"] = 1, ["LOG"] = 2, ["SPEC_ALLOW"] = 4, ["NEW_LISTENER"] = 8, ["TSYNC_ESRCH"] = 16, ["WAIT_KILLABLE_RECV"] = 32,
    };

    public const uint SECCOMP_IOCTL_NOTIF_RECV = 0xc0502100, SECCOMP_IOCTL_NOTIF_SEND = 0xc0182101,
        SECCOMP_IOCTL_NOTIF_ID_VALID = 0x40082102, SECCOMP_IOCTL_NOTIF_ADDFD = 0x40182103,
        SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR = 0x80082102, SECCOMP_IOCTL_NOTIF_SET_FLAGS = 0x40082104;
    public const uint SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;
    public const uint SECCOMP_ADDFD_FLAG_SETFD = 1, SECCOMP_ADDFD_FLAG_SEND = 2;
    public const int SeccompNotifSize = 80, SeccompNotifRespSize = 24, SeccompNotifAddfdSize = 24;

    public static readonly IReadOnlyDictionary<string, long> PtraceRequests = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase)
    {
        ["TRACEME"] = 0, ["PEEKDATA"] = 2, ["CONT"] = 7, ["KILL"] = 8, ["ATTACH"] = 16, ["DETACH"] = 17, ["SYSCALL"] = 24,
        ["SETOPTIONS"] = 0x4200, ["GETEVENTMSG"] = 0x4201, ["GETSIGINFO"] = 0x4202, ["SEIZE"] = 0x4206,
        ["INTERRUPT"] = 0x4207, ["LISTEN"] = 0x4208, ["SECCOMP_GET_FILTER"] = 0x420c, ["SECCOMP_GET_METADATA"] = 0x420d,
    };

    public static readonly IReadOnlyDictionary<string, long> PtraceOptions = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase)
    {
        ["TRACESYSGOOD"] = 1, ["TRACEFORK"] = 2, ["TRACEVFORK"] = 4, ["TRACECLONE"] = 8, ["TRACEEXEC"] = 0x10,
        ["TRACEVFORKDONE"] = 0x20, ["TRACEEXIT"] = 0x40, ["TRACESECCOMP"] = 0x80, ["EXITKILL"] = 0x100000,
        ["SUSPEND_SECCOMP"] = 0x200000,
    };

    public const int PTRACE_EVENT_SECCOMP = 7;

    public static readonly IReadOnlyDictionary<string, long> WaitOptions = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase)
    {
        ["WNOHANG"] = 1, ["WUNTRACED"] = 2, ["WCONTINUED"] = 8, ["WALL"] = 0x40000000, ["__WALL"] = 0x40000000, ["WCLONE"] = unchecked((int)0x80000000),
    };

    public static readonly IReadOnlyDictionary<string, int> Signals = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
    {
        ["SIGHUP"] = 1, ["SIGINT"] = 2, ["SIGQUIT"] = 3, ["SIGILL"] = 4, ["SIGTRAP"] = 5, ["SIGABRT"] = 6, ["SIGBUS"] = 7,
        ["SIGFPE"] = 8, ["SIGKILL"] = 9, ["SIGUSR1"] = 10, ["SIGSEGV"] = 11, ["SIGUSR2"] = 12, ["SIGPIPE"] = 13,
        ["SIGALRM"] = 14, ["SIGTERM"] = 15, ["SIGCHLD"] = 17, ["SIGCONT"] = 18, ["SIGSTOP"] = 19, ["SIGTSTP"] = 20,
        ["SIGTTIN"] = 21, ["SIGTTOU"] = 22, ["SIGURG"] = 23, ["SIGXCPU"] = 24, ["SIGXFSZ"] = 25, ["SIGVTALRM"] = 26,
        ["SIGPROF"] = 27, ["SIGWINCH"] = 28, ["SIGIO"] = 29, ["SIGPWR"] = 30, ["SIGSYS"] = 31,
    };

    public static string SignalName(int signo) =>
        Signals.FirstOrDefault(kv => kv.Value == signo).Key ?? $"signal {signo}";

    public const int SIGSYS = 31, SIGKILL = 9, SIGSTOP = 19, SIGTRAP = 5;
    public const int SYS_SECCOMP = 1;

    public static readonly IReadOnlyDictionary<string, int> Capabilities = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
    {
        ["CHOWN"] = 0, ["DAC_OVERRIDE"] = 1, ["DAC_READ_SEARCH"] = 2, ["FOWNER"] = 3, ["FSETID"] = 4, ["KILL"] = 5,
        ["SETGID"] = 6, ["SETUID"] = 7, ["SETPCAP"] = 8, ["NET_ADMIN"] = 12, ["SYS_CHROOT"] = 18, ["SYS_PTRACE"] = 19,
        ["SYS_ADMIN"] = 21, ["SYS_RESOURCE"] = 24,
    };

    public const int CAP_SYS_ADMIN = 21;
    public const uint LinuxCapabilityVersion3 = 0x20080522;
    public const int RLIMIT_CORE = 4;
    public const int AT_FDCWD = -100;
}
