namespace Conformance.Model.Kernel;

/// <summary>The flags seccomp(SECCOMP_SET_MODE_FILTER, flags, ...) takes (include/uapi/linux/seccomp.h).</summary>
[Flags]
public enum SeccompFilterFlags : uint
{
    None = 0,
    Tsync = 1,
    Log = 2,
    SpecAllow = 4,
    NewListener = 8,
    TsyncEsrch = 16,
    WaitKillableRecv = 32,
}
