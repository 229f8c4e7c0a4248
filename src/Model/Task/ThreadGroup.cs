namespace Conformance.Model.Task;

/// <summary>
/// The threads of one process (signal->live): shared by every thread of it, so a thread's birth or
/// death is seen by all of them. KILL_THREAD and TSYNC depend on whether other threads live.
/// </summary>
public sealed class ThreadGroup
{
    public int LiveThreads { get; private set; } = 1;

    public bool HasOtherThreads => LiveThreads > 1;

    internal void ThreadStarted() => LiveThreads++;

    internal void ThreadEnded() => LiveThreads = Math.Max(1, LiveThreads - 1);

    /// <summary>execve's de_thread: every other thread of the group is gone.</summary>
    internal void OthersKilled() => LiveThreads = 1;
}
