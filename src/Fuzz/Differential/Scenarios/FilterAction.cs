using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing;

/// <summary>
/// A filter's return value as the generator reasons about it: which action it is (an unknown action
/// value kills the process), whether it can end or block the caller, and its bpf_asm operand.
/// </summary>
public readonly record struct FilterAction(uint Ret)
{
    public static FilterAction Allow => new(SeccompRet.Allow);
    public static FilterAction Log => new(SeccompRet.Log);
    public static FilterAction KillThread => new(SeccompRet.KillThread);
    public static FilterAction KillProcess => new(SeccompRet.KillProcess);
    public static FilterAction UserNotif => new(SeccompRet.UserNotif);
    public static FilterAction Errno(int n) => new(SeccompRet.Errno | (uint)(n & 0xffff));
    public static FilterAction Trap(int data) => new(SeccompRet.Trap | (uint)(data & 0xffff));
    public static FilterAction Trace(int data) => new(SeccompRet.Trace | (uint)(data & 0xffff));

    public ushort Data => (ushort)(Ret & SeccompRet.DataMask);

    /// <summary>The action the value names on a kernel with the full action compare (4.14+); null for a value no kernel defines (which kills the process).</summary>
    public SeccompAction? Action => (Ret & SeccompRet.ActionFull) switch
    {
        SeccompRet.KillProcess => SeccompAction.KillProcess,
        SeccompRet.KillThread => SeccompAction.KillThread,
        SeccompRet.Trap => SeccompAction.Trap,
        SeccompRet.Errno => SeccompAction.Errno,
        SeccompRet.UserNotif => SeccompAction.UserNotif,
        SeccompRet.Trace => SeccompAction.Trace,
        SeccompRet.Log => SeccompAction.Log,
        SeccompRet.Allow => SeccompAction.Allow,
        _ => null,
    };

    /// <summary>The value can end the caller: a kill, an unknown action, or TRAP where no handler certainly catches SIGSYS.</summary>
    public bool Lethal(bool sigsysCaught) => Action switch
    {
        SeccompAction.KillProcess or SeccompAction.KillThread or null => true,
        SeccompAction.Trap => !sigsysCaught,
        _ => false,
    };

    /// <summary>The value can end more than the calling thread (its whole process).</summary>
    public bool KillsProcess(bool sigsysCaught) => Action switch
    {
        SeccompAction.KillProcess or null => true,
        SeccompAction.Trap => !sigsysCaught,
        _ => false,
    };

    /// <summary>The bpf_asm operand of a `ret`.</summary>
    public string Operand => Action switch
    {
        SeccompAction.Allow when Data == 0 => "#ALLOW",
        SeccompAction.Log when Data == 0 => "#LOG",
        SeccompAction.KillProcess when Data == 0 => "#KILL_PROCESS",
        SeccompAction.KillThread when Data == 0 => "#KILL_THREAD",
        SeccompAction.UserNotif when Data == 0 => "#USER_NOTIF",
        SeccompAction.Errno => $"#ERRNO({Data})",
        SeccompAction.Trap => $"#TRAP({Data})",
        SeccompAction.Trace => $"#TRACE({Data})",
        _ => $"#0x{Ret:x8}",
    };

    public override string ToString() => Operand.TrimStart('#');
}
