using Conformance.Machines.Protocol;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Executor.Features;

/// <summary>
/// The real-use witness of notif_continue and notif_addfd: a supervisor child installs a listener
/// for getppid, forks a caller, receives its notification, adds a file descriptor to it and answers
/// CONTINUE; if CONTINUE is refused it answers EPERM, so the caller never hangs the probe.
/// </summary>
internal static class NotificationRoundTrip
{
    internal const ushort Supervisor = 600, Nnp = 601, Install = 602, Caller = 603, CallerCall = 604, Recv = 605, LoadId = 606,
        AddfdStore = 607, Addfd = 608, ContinueStore = 609, Continue = 610, FallbackStore = 611, Fallback = 612, ReapCaller = 613, Reap = 614;

    // Scratch offsets of seccomp_notif (zeroed, as RECV insists), seccomp_notif_addfd and two seccomp_notif_resp.
    const uint NotifAt = 8192, AddfdAt = 8448, ContinueAt = 8704, FallbackAt = 8960;

    public static void Emit(ProgramBuilder p, Body b, Abi abi)
    {
        int Nr(string name) => SyscallTable.NumberOf(abi, name);
        int getppid = Nr("getppid");
        int notify = p.AddFilter([new(0x20, 0, 0, 0), new(0x15, 0, 1, (uint)getppid), new(0x06, 0, 0, SeccompRet.UserNotif), new(0x06, 0, 0, SeccompRet.Allow)]);
        b.Fork(Supervisor, Dest.Reg(1), s =>
        {
            s.Syscall(Nnp, Nr("prctl"), Operand.Imm(PR_SET_NO_NEW_PRIVS), Operand.Imm(1), Operand.Imm(0), Operand.Imm(0), Operand.Imm(0));
            s.Syscall(Install, Nr("seccomp"), Dest.Reg(0), Operand.Imm(SECCOMP_SET_MODE_FILTER), Operand.Imm(Conformance.Model.Kernel.SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER), Operand.FProg(notify));
            s.Fork(Caller, Dest.Reg(1), c => c.Syscall(CallerCall, getppid));
            s.Syscall(Recv, Nr("ioctl"), Operand.Reg(0), Operand.Imm(SECCOMP_IOCTL_NOTIF_RECV), Operand.Scratch(NotifAt));
            s.Load(LoadId, 8, Operand.Scratch(NotifAt), Dest.Reg(3));
            // The listener's own descriptor is the one handed to the caller.
            s.Store(AddfdStore, 8, Operand.Scratch(AddfdAt + SeccompNotifAddfdLayout.Id), Operand.Reg(3));
            s.Store(AddfdStore, 4, Operand.Scratch(AddfdAt + SeccompNotifAddfdLayout.Srcfd), Operand.Reg(0));
            s.Syscall(Addfd, Nr("ioctl"), Operand.Reg(0), Operand.Imm(SECCOMP_IOCTL_NOTIF_ADDFD), Operand.Scratch(AddfdAt));
            s.Store(ContinueStore, 8, Operand.Scratch(ContinueAt + SeccompNotifRespLayout.Id), Operand.Reg(3));
            s.Store(ContinueStore, 4, Operand.Scratch(ContinueAt + SeccompNotifRespLayout.Error), Operand.Imm(0));
            s.Store(ContinueStore, 4, Operand.Scratch(ContinueAt + SeccompNotifRespLayout.Flags), Operand.Imm(SECCOMP_USER_NOTIF_FLAG_CONTINUE));
            s.Syscall(Continue, Nr("ioctl"), Operand.Reg(0), Operand.Imm(SECCOMP_IOCTL_NOTIF_SEND), Operand.Scratch(ContinueAt));
            s.Store(FallbackStore, 8, Operand.Scratch(FallbackAt + SeccompNotifRespLayout.Id), Operand.Reg(3));
            s.Store(FallbackStore, 4, Operand.Scratch(FallbackAt + SeccompNotifRespLayout.Error), Operand.Imm(-Errnos.EPERM));
            s.Store(FallbackStore, 4, Operand.Scratch(FallbackAt + SeccompNotifRespLayout.Flags), Operand.Imm(0));
            s.Syscall(Fallback, Nr("ioctl"), Operand.Reg(0), Operand.Imm(SECCOMP_IOCTL_NOTIF_SEND), Operand.Scratch(FallbackAt));
            s.Syscall(ReapCaller, Nr("wait4"), Operand.Reg(1), Operand.Null, Operand.Imm(0x40000000), Operand.Null);
        });
        b.Syscall(Reap, Nr("wait4"), Operand.Reg(1), Operand.Null, Operand.Imm(0x40000000), Operand.Null);
    }

    /// <summary>CONTINUE answered and the caller's getppid really ran.</summary>
    public static Witness ReadContinue(ProbeAnswers r)
    {
        const string name = "a notification answered with CONTINUE";
        if (r.Ret(Install) is not >= 0)
            return new Witness(name, Sighting.Silent, "no listener: " + ProbeAnswers.Describe(r.Ret(Install)));
        long? send = r.Ret(Continue), call = r.Ret(CallerCall);
        var answer = $"SEND {ProbeAnswers.Describe(send)}, getppid {ProbeAnswers.Describe(call)}";
        return new Witness(name, send switch
        {
            0 when call > 0 => Sighting.Present,
            0 => Sighting.Absent,
            -Errnos.EINVAL => Sighting.Absent,
            _ => Sighting.Silent,
        }, answer);
    }

    /// <summary>ADDFD during a real notification installs a descriptor in the caller.</summary>
    public static Witness ReadAddfd(ProbeAnswers r)
    {
        const string name = "NOTIF_ADDFD during a notification";
        if (r.Ret(Install) is not >= 0)
            return new Witness(name, Sighting.Silent, "no listener: " + ProbeAnswers.Describe(r.Ret(Install)));
        var addfd = r.Ret(Addfd);
        return new Witness(name, addfd switch
        {
            >= 0 => Sighting.Present,
            -Errnos.EINVAL => Sighting.Absent,
            _ => Sighting.Silent,
        }, ProbeAnswers.Describe(addfd));
    }
}
