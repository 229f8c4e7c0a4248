using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;

namespace Conformance.Model.Task;

/// <summary>
/// One filter in a task's chain with what was fixed when it was attached: its install flags, and
/// whether the listener fd NEW_LISTENER returned is still open (the kernel drops filter->notif when
/// the last copy of that fd is closed: USER_NOTIF then gives ENOSYS and a new listener may be made).
/// </summary>
public sealed record AttachedFilter(LoadedFilter Program, SeccompFilterFlags Flags, bool ListenerOpen)
{
    /// <summary>filter->notif is set: the filter was attached with NEW_LISTENER and its fd is still open.</summary>
    public bool HasOpenListener => ListenerOpen && (Flags & SeccompFilterFlags.NewListener) != 0;
}
