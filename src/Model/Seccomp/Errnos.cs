namespace Conformance.Model.Seccomp;

/// <summary>The Linux errno values the model and the reports name (asm-generic numbering, shared by x86 and arm).</summary>
public static class Errnos
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8,
        EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17,
        ENODEV = 19, EINVAL = 22, EMFILE = 24, ENOSPC = 28, ESPIPE = 29, EPIPE = 32, ERANGE = 34, ENOSYS = 38,
        ENOTSUP = 95, EOPNOTSUPP = 95, EMEDIUMTYPE = 124, ERESTARTSYS = 512;

    static readonly Dictionary<int, string> Names = new()
    {
        [EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [EINTR] = "EINTR", [EIO] = "EIO",
        [ENXIO] = "ENXIO", [E2BIG] = "E2BIG", [ENOEXEC] = "ENOEXEC", [EBADF] = "EBADF", [ECHILD] = "ECHILD",
        [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM", [EACCES] = "EACCES", [EFAULT] = "EFAULT", [EBUSY] = "EBUSY",
        [EEXIST] = "EEXIST", [ENODEV] = "ENODEV", [EINVAL] = "EINVAL", [EMFILE] = "EMFILE", [ENOSPC] = "ENOSPC",
        [ESPIPE] = "ESPIPE", [EPIPE] = "EPIPE", [ERANGE] = "ERANGE", [ENOSYS] = "ENOSYS", [EOPNOTSUPP] = "EOPNOTSUPP",
        [EMEDIUMTYPE] = "EMEDIUMTYPE", [ERESTARTSYS] = "ERESTARTSYS", [0] = "0",
    };

    public static string Name(int errno) => Names.TryGetValue(errno, out var n) ? n : $"errno {errno}";

    public static bool TryParse(string name, out int errno)
    {
        foreach (var (k, v) in Names)
            if (string.Equals(v, name, StringComparison.OrdinalIgnoreCase)) { errno = k; return true; }
        errno = 0;
        return false;
    }
}
