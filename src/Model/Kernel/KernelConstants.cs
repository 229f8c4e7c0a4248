using static Conformance.Model.Kernel.CapabilityConstants;
using static Conformance.Model.Kernel.FcntlConstants;
using static Conformance.Model.Kernel.PrctlConstants;
using static Conformance.Model.Kernel.PtraceConstants;
using static Conformance.Model.Kernel.RlimitConstants;
using static Conformance.Model.Kernel.SeccompConstants;
using static Conformance.Model.Kernel.SignalConstants;

namespace Conformance.Model.Kernel;

/// <summary>
/// The kernel ABI numbers case steps are made of, in the shapes the catalogue uses them. Every
/// value comes from the generated tables (tools/gen-kernel-constants.py); this class only picks,
/// types and groups them.
/// </summary>
public static class KernelConstants
{
    public const int PR_SET_DUMPABLE = (int)PrctlConstants.PR_SET_DUMPABLE, PR_GET_SECCOMP = (int)PrctlConstants.PR_GET_SECCOMP,
        PR_SET_SECCOMP = (int)PrctlConstants.PR_SET_SECCOMP, PR_SET_NO_NEW_PRIVS = (int)PrctlConstants.PR_SET_NO_NEW_PRIVS,
        PR_GET_NO_NEW_PRIVS = (int)PrctlConstants.PR_GET_NO_NEW_PRIVS;
    public const int SECCOMP_MODE_STRICT = (int)SeccompConstants.SECCOMP_MODE_STRICT, SECCOMP_MODE_FILTER = (int)SeccompConstants.SECCOMP_MODE_FILTER;
    public const int SECCOMP_SET_MODE_STRICT = (int)SeccompConstants.SECCOMP_SET_MODE_STRICT, SECCOMP_SET_MODE_FILTER = (int)SeccompConstants.SECCOMP_SET_MODE_FILTER,
        SECCOMP_GET_ACTION_AVAIL = (int)SeccompConstants.SECCOMP_GET_ACTION_AVAIL, SECCOMP_GET_NOTIF_SIZES = (int)SeccompConstants.SECCOMP_GET_NOTIF_SIZES;

    /// <summary>SECCOMP_FILTER_FLAG_* without the prefix (TSYNC, LOG, ...), as install steps name them.</summary>
    public static readonly IReadOnlyDictionary<string, uint> FilterFlags = Stripped("SECCOMP_FILTER_FLAG_")
        .ToDictionary(r => r.Short, r => (uint)r.Value, StringComparer.OrdinalIgnoreCase);

    public const uint SECCOMP_IOCTL_NOTIF_RECV = (uint)SeccompConstants.SECCOMP_IOCTL_NOTIF_RECV,
        SECCOMP_IOCTL_NOTIF_SEND = (uint)SeccompConstants.SECCOMP_IOCTL_NOTIF_SEND,
        SECCOMP_IOCTL_NOTIF_ID_VALID = (uint)SeccompConstants.SECCOMP_IOCTL_NOTIF_ID_VALID,
        SECCOMP_IOCTL_NOTIF_ADDFD = (uint)SeccompConstants.SECCOMP_IOCTL_NOTIF_ADDFD,
        SECCOMP_IOCTL_NOTIF_SET_FLAGS = (uint)SeccompConstants.SECCOMP_IOCTL_NOTIF_SET_FLAGS;

    /// <summary>
    /// The _IOR spelling of NOTIF_ID_VALID that 5.0-5.6 headers had; kernel/seccomp.c still accepts
    /// it under this name, privately, so no UAPI header defines it.
    /// </summary>
    public const uint SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR = (uint)IoctlEncoding.IOC_READ << IoctlEncoding.IOC_DIRSHIFT
        | SECCOMP_IOCTL_NOTIF_ID_VALID & ~((uint)IoctlEncoding.IOC_DIRMASK << IoctlEncoding.IOC_DIRSHIFT);

    public const uint SECCOMP_USER_NOTIF_FLAG_CONTINUE = (uint)SeccompConstants.SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    public const uint SECCOMP_ADDFD_FLAG_SETFD = (uint)SeccompConstants.SECCOMP_ADDFD_FLAG_SETFD, SECCOMP_ADDFD_FLAG_SEND = (uint)SeccompConstants.SECCOMP_ADDFD_FLAG_SEND;

    public const int SeccompNotifSize = SeccompNotifLayout.Size, SeccompNotifRespSize = SeccompNotifRespLayout.Size,
        SeccompNotifAddfdSize = SeccompNotifAddfdLayout.Size;

    /// <summary>The requests ptrace steps name (without PTRACE_); the step kinds that record a result switch on these names.</summary>
    public static readonly IReadOnlyDictionary<string, long> PtraceRequests = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase)
    {
        ["TRACEME"] = PTRACE_TRACEME, ["PEEKDATA"] = PTRACE_PEEKDATA, ["CONT"] = PTRACE_CONT, ["KILL"] = PTRACE_KILL,
        ["ATTACH"] = PTRACE_ATTACH, ["DETACH"] = PTRACE_DETACH, ["SYSCALL"] = PTRACE_SYSCALL,
        ["SETOPTIONS"] = PTRACE_SETOPTIONS, ["GETEVENTMSG"] = PTRACE_GETEVENTMSG, ["GETSIGINFO"] = PTRACE_GETSIGINFO,
        ["SEIZE"] = PTRACE_SEIZE, ["INTERRUPT"] = PTRACE_INTERRUPT, ["LISTEN"] = PTRACE_LISTEN,
        ["SECCOMP_GET_FILTER"] = PTRACE_SECCOMP_GET_FILTER, ["SECCOMP_GET_METADATA"] = PTRACE_SECCOMP_GET_METADATA,
    };

    /// <summary>Every PTRACE_O_* option, by its short name (TRACESECCOMP) and its full one (PTRACE_O_TRACESECCOMP).</summary>
    public static readonly IReadOnlyDictionary<string, long> PtraceOptions = Stripped("PTRACE_O_")
        .Where(r => r.Short != "MASK")
        .SelectMany(r => new[] { (Key: r.Short, r.Value), (Key: "PTRACE_O_" + r.Short, r.Value) })
        .ToDictionary(r => r.Key, r => r.Value, StringComparer.OrdinalIgnoreCase);

    public const int PTRACE_EVENT_SECCOMP = (int)PtraceConstants.PTRACE_EVENT_SECCOMP;

    /// <summary>
    /// The wait4 options by their C names (WNOHANG, __WALL) and, for the double-underscore ones, without
    /// the underscores (WALL); a value is the C int wait4 takes, so __WCLONE is negative.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, long> WaitOptions = KernelConstantTable.Family(KernelConstantFamily.Wait)
        .Where(r => r.Uniform is not null)
        .SelectMany(r => r.Name.StartsWith("__", StringComparison.Ordinal)
            ? new[] { (Key: r.Name, Value: (long)unchecked((int)r.Uniform!.Value)), (Key: r.Name[2..], Value: (long)unchecked((int)r.Uniform!.Value)) }
            : [(Key: r.Name, Value: (long)unchecked((int)r.Uniform!.Value))])
        .ToDictionary(r => r.Key, r => r.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every signal name with one number on all four ABIs (SIGRTMAX is not: x86 leaves _NSIG to libc).</summary>
    public static readonly IReadOnlyDictionary<string, int> Signals = KernelConstantTable.Family(KernelConstantFamily.Signal)
        .Where(r => r.Uniform is not null)
        .ToDictionary(r => r.Name, r => (int)r.Uniform!.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>Names the headers keep for numbers that have a better-known one (SIGIOT is SIGABRT).</summary>
    static readonly HashSet<string> SignalAliases = ["SIGIOT", "SIGPOLL", "SIGUNUSED"];

    public static string SignalName(int signo) =>
        Signals.FirstOrDefault(kv => kv.Value == signo && !SignalAliases.Contains(kv.Key)).Key ?? $"signal {signo}";

    public const int SIGSYS = (int)SignalConstants.SIGSYS, SIGKILL = (int)SignalConstants.SIGKILL,
        SIGSTOP = (int)SignalConstants.SIGSTOP, SIGTRAP = (int)SignalConstants.SIGTRAP;

    /// <summary>si_code of a seccomp SIGSYS (asm-generic/siginfo.h), outside the generated families.</summary>
    public const int SYS_SECCOMP = 1;

    /// <summary>Every capability without CAP_ (SYS_ADMIN), as drop_caps names them; CAP_LAST_CAP is a bound, not a capability.</summary>
    public static readonly IReadOnlyDictionary<string, int> Capabilities = Stripped("CAP_")
        .Where(r => r.Short != "LAST_CAP")
        .ToDictionary(r => r.Short, r => (int)r.Value, StringComparer.OrdinalIgnoreCase);

    public const int CAP_SYS_ADMIN = (int)CapabilityConstants.CAP_SYS_ADMIN;
    public const uint LinuxCapabilityVersion3 = (uint)_LINUX_CAPABILITY_VERSION_3;
    public const int RLIMIT_CORE = (int)RlimitConstants.RLIMIT_CORE;
    public const int AT_FDCWD = (int)FcntlConstants.AT_FDCWD;

    /// <summary>The rows whose name starts with prefix and that mean one number on every ABI, with the prefix cut off.</summary>
    static IEnumerable<(string Short, long Value)> Stripped(string prefix) =>
        KernelConstantTable.All
            .Where(r => r.Name.StartsWith(prefix, StringComparison.Ordinal) && r.Uniform is not null)
            .Select(r => (r.Name[prefix.Length..], r.Uniform!.Value));
}
