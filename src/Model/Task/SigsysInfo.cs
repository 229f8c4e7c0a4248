using Conformance.Model.Kernel;

namespace Conformance.Model.Task;

/// <summary>Which register syscall_rollback restores before a TRAP's SIGSYS, so the handler sees the call as made.</summary>
public enum RollbackRegister
{
    /// <summary>x86: rax (eax) = orig_rax, the system call number.</summary>
    SyscallNumber,
    /// <summary>arm64 (and arm on it): x0 (r0) = orig_x0, the first argument.</summary>
    FirstArgument,
}

/// <summary>
/// The siginfo force_sig_seccomp fills for a TRAP (si_errno carries the action's 16-bit data), and
/// the return register the handler finds. <see cref="ReturnValue"/> is null when that register
/// holds an argument the caller did not know.
/// </summary>
public sealed record SigsysInfo(int Errno, int Syscall, uint Arch, RollbackRegister Register, ulong? ReturnValue)
{
    /// <summary>
    /// The signal code reads the rolled-back return register as a restart request and points the
    /// context back at the system-call instruction: when the handler returns the call is made
    /// again, and traps again (<see cref="SeccompSyscall"/>, the arm64 restart rule).
    /// </summary>
    public bool Restarts { get; init; }

    public int Signo => KernelConstants.SIGSYS;

    public int Code => KernelConstants.SYS_SECCOMP;
}
