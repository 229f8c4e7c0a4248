using Conformance.Model.Seccomp;

namespace Conformance.Model.Task;

/// <summary>
/// The wait status of a process whose main thread died alone (KILL_THREAD or strict mode while other
/// threads lived) and whose other threads then ended with exit(code) (kernel/exit.c).
/// wait_task_zombie reports signal->group_exit_code once SIGNAL_GROUP_EXIT is set, else the main
/// thread's own exit_code. Since 6.0 the last thread to exit sets SIGNAL_GROUP_EXIT with its code;
/// before, a process that never called exit_group kept the main thread's death as its status.
/// </summary>
public static class GroupExitStatus
{
    /// <summary>Exited with a code, or killed by a signal (never with a core: do_exit writes none).</summary>
    public readonly record struct Status(int? ExitCode, int? Signal);

    public static Status AfterMainThreadDiedAlone(KernelProfile profile, int mainThreadSignal, int lastThreadExitCode) =>
        profile.LastThreadSetsGroupExit ? new(lastThreadExitCode, null) : new(null, mainThreadSignal);
}
