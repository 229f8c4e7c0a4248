using static Conformance.Model.Kernel.SeccompConstants;

namespace Conformance.Model.Kernel;

/// <summary>The flags seccomp(SECCOMP_SET_MODE_FILTER, flags, ...) takes (include/uapi/linux/seccomp.h).</summary>
[Flags]
public enum SeccompFilterFlags : uint
{
    None = 0,
    Tsync = (uint)SECCOMP_FILTER_FLAG_TSYNC,
    Log = (uint)SECCOMP_FILTER_FLAG_LOG,
    SpecAllow = (uint)SECCOMP_FILTER_FLAG_SPEC_ALLOW,
    NewListener = (uint)SECCOMP_FILTER_FLAG_NEW_LISTENER,
    TsyncEsrch = (uint)SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
    WaitKillableRecv = (uint)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
}
