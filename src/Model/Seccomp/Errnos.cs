using Conformance.Model.Syscalls;

namespace Conformance.Model.Seccomp;

/// <summary>
/// The errno values the model returns, as constants; names come from the kernel's own table
/// (<see cref="ErrnoTable"/>), plus the kernel-internal restart codes a tracer or a notifier can see.
/// </summary>
public static class Errnos
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, E2BIG = 7, EBADF = 9, ECHILD = 10, EAGAIN = 11,
        ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EINVAL = 22, EMFILE = 24, ENOSYS = 38,
        EOPNOTSUPP = 95, EMEDIUMTYPE = 124;

    /// <summary>The kernel-internal restart codes a signal delivery acts on (arch do_signal).</summary>
    public const int ERESTARTSYS = 512, ERESTARTNOINTR = 513, ERESTARTNOHAND = 514, ERESTART_RESTARTBLOCK = 516;

    /// <summary>include/linux/errno.h: never meant for user space, but visible to a tracer or a notifier's reply.</summary>
    static readonly Dictionary<int, string> KernelInternal = new()
    {
        [ERESTARTSYS] = "ERESTARTSYS", [ERESTARTNOINTR] = "ERESTARTNOINTR", [ERESTARTNOHAND] = "ERESTARTNOHAND", [515] = "ENOIOCTLCMD",
        [ERESTART_RESTARTBLOCK] = "ERESTART_RESTARTBLOCK", [517] = "EPROBE_DEFER", [518] = "EOPENSTALE", [519] = "ENOPARAM",
    };

    public static string Name(int errno) =>
        errno == 0 ? "0" : ErrnoTable.NameOf(errno) ?? KernelInternal.GetValueOrDefault(errno) ?? $"errno {errno}";

    public static bool TryParse(string name, out int errno)
    {
        if (ErrnoTable.TryGetValue(name, out errno))
            return true;
        foreach (var (k, v) in KernelInternal)
            if (string.Equals(v, name, StringComparison.OrdinalIgnoreCase)) { errno = k; return true; }
        errno = 0;
        return false;
    }
}
