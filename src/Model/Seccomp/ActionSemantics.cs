namespace Conformance.Model.Seccomp;

/// <summary>
/// How a kernel ranks filter results and turns the winner into an action: seccomp_run_filters'
/// comparison and __seccomp_filter's switch, per profile.
/// </summary>
public static class ActionSemantics
{
    /// <summary>True when <paramref name="candidate"/> beats the current result (strictly more restrictive).</summary>
    public static bool Beats(uint candidate, uint current, KernelProfile profile) =>
        profile.FullActionCompare
            ? (int)(candidate & SeccompRet.ActionFull) < (int)(current & SeccompRet.ActionFull)
            : (candidate & SeccompRet.ActionMask) < (current & SeccompRet.ActionMask);

    /// <summary>The action the kernel takes for a winning return value.</summary>
    public static SeccompAction Classify(uint ret, KernelProfile profile)
    {
        if (profile.FullActionCompare)
        {
            switch (ret & SeccompRet.ActionFull)
            {
                case SeccompRet.KillProcess: return SeccompAction.KillProcess;
                case SeccompRet.KillThread: return SeccompAction.KillThread;
                case SeccompRet.Trap: return SeccompAction.Trap;
                case SeccompRet.Errno: return SeccompAction.Errno;
                case SeccompRet.UserNotif when profile.HasUserNotif: return SeccompAction.UserNotif;
                case SeccompRet.Trace: return SeccompAction.Trace;
                case SeccompRet.Log when profile.HasLog: return SeccompAction.Log;
                case SeccompRet.Allow: return SeccompAction.Allow;
                default: return SeccompAction.KillProcess;
            }
        }
        // Before 4.14 everything unknown fell into "kill": do_exit(SIGSYS), the thread only.
        return (ret & SeccompRet.ActionMask) switch
        {
            SeccompRet.Trap => SeccompAction.Trap,
            SeccompRet.Errno => SeccompAction.Errno,
            SeccompRet.Trace => SeccompAction.Trace,
            SeccompRet.Allow => SeccompAction.Allow,
            _ => SeccompAction.KillThread,
        };
    }

    /// <summary>The data the action carries: RET_DATA, with ERRNO capped at MAX_ERRNO where the kernel caps it.</summary>
    public static ushort DataOf(uint ret, SeccompAction action, KernelProfile profile)
    {
        var data = (ushort)(ret & SeccompRet.DataMask);
        if (action == SeccompAction.Errno && profile.CapsErrno && data > SeccompRet.MaxErrno)
            return SeccompRet.MaxErrno;
        return data;
    }

    public static Verdict VerdictOf(uint ret, int filter, KernelProfile profile)
    {
        var action = Classify(ret, profile);
        return new Verdict(action, DataOf(ret, action, profile), ret, filter);
    }
}
