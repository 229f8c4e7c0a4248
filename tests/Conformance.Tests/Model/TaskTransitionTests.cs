using Conformance.Model.Bpf;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using Conformance.Model.Task;
using static Conformance.Tests.Model.Bpf;

namespace Conformance.Tests.Model;

/// <summary>The state changes a judge follows: what an install attached, fork, threads, execve and closing a listener.</summary>
public class TaskTransitionTests
{
    static readonly KernelDescription Kernel = new(KernelProfiles.Default);

    static TaskState Task() => new(Abi.X86_64, KernelProfiles.Default) { NoNewPrivs = true };

    static InstallRequest Request(SeccompFilterFlags flags, params Instruction[] program) =>
        InstallRequest.Plain(InstallCall.Seccomp, program) with { Flags = flags };

    static SyscallOutcome Getppid(TaskState task) => SeccompSyscall.Decide(task, Kernel, SyscallQuery.Known(Abi.X86_64, 110));

    [Test]
    public void An_install_attaches_what_the_kernel_says_it_attached()
    {
        var request = Request(SeccompFilterFlags.None, Ret(Errno(1)));
        Assert.That(Task().AfterInstall(request, -Errnos.EINVAL).Chain.Count, Is.EqualTo(0));
        var after = Task().AfterInstall(request, 0);
        Assert.That((after.Chain.Count, after.Mode, after.Filters[0].Flags), Is.EqualTo((1, SeccompMode.Filter, SeccompFilterFlags.None)));
        Assert.That(Getppid(after), Is.TypeOf<ReturnsErrno>());
    }

    [Test]
    public void A_tsync_that_returned_a_thread_id_attached_nothing_but_a_listener_fd_did()
    {
        Assert.That(Task().AfterInstall(Request(SeccompFilterFlags.Tsync, Ret(Allow)), 1234).Chain.Count, Is.EqualTo(0));
        var withListener = Task().AfterInstall(Request(SeccompFilterFlags.Tsync | SeccompFilterFlags.NewListener | SeccompFilterFlags.TsyncEsrch, Ret(Allow)), 5);
        Assert.That((withListener.Chain.Count, withListener.Filters[0].HasOpenListener), Is.EqualTo((1, true)));
    }

    [Test]
    public void A_kernel_that_accepted_a_length_past_the_mapping_attached_only_what_it_could_read()
    {
        var request = Request(SeccompFilterFlags.None, Ret(Errno(2))) with { Length = 3 };
        Assert.That(SeccompInstall.Decide(Task(), Kernel, request).Rule, Is.EqualTo(InstallRule.LengthPastMapping));
        var after = Task().AfterInstall(request, 0);
        Assert.That(after.Chain.Filters[0].Original, Has.Length.EqualTo(1));
    }

    [Test]
    public void Fork_copies_filters_and_signal_state_into_a_new_process_without_the_tracer()
    {
        var parent = Task().AfterInstall(Request(SeccompFilterFlags.None, Ret(SeccompRet.KillThread)), 0) with
        {
            Sigsys = SigsysDisposition.Ignore, SigsysBlocked = true, SeccompTracer = true,
        };
        parent.SpawnThread();
        var child = parent.Fork();
        Assert.That((child.Chain.Count, child.NoNewPrivs, child.Sigsys, child.SigsysBlocked, child.SeccompTracer),
            Is.EqualTo((1, true, SigsysDisposition.Ignore, true, false)));
        Assert.That(Getppid(parent), Is.TypeOf<ThreadKilled>(), "the parent's process has two threads");
        Assert.That(Getppid(child), Is.TypeOf<ProcessKilled>(), "the child is a process of one thread");
    }

    [Test]
    public void A_filter_attached_after_fork_stays_with_the_task_that_installed_it()
    {
        var parent = Task();
        var child = parent.Fork().AfterInstall(Request(SeccompFilterFlags.None, Ret(Errno(1))), 0);
        Assert.That((parent.Chain.Count, child.Chain.Count), Is.EqualTo((0, 1)));
    }

    [Test]
    public void Threads_share_the_group_so_every_thread_sees_births_and_deaths()
    {
        var main = Task();
        var second = main.SpawnThread();
        Assert.That((main.Group.LiveThreads, second.Group), Is.EqualTo((2, main.Group)));
        second.ThreadExited();
        Assert.That(main.Group.LiveThreads, Is.EqualTo(1));
        Assert.That(main.Fork().Group.LiveThreads, Is.EqualTo(1));
    }

    [Test]
    public void Execve_resets_a_handled_sigsys_and_ends_other_threads_but_keeps_filters_and_the_mask()
    {
        var task = Task().AfterInstall(Request(SeccompFilterFlags.None, Ret(Errno(1))), 0) with
        {
            Sigsys = SigsysDisposition.Handler, SigsysBlocked = true,
        };
        task.SpawnThread();
        var image = task.Exec(Abi.I386);
        Assert.That((image.Abi, image.Sigsys, image.SigsysBlocked, image.Chain.Count, image.Group.LiveThreads),
            Is.EqualTo((Abi.I386, SigsysDisposition.Default, true, 1, 1)));
        Assert.That((task with { Sigsys = SigsysDisposition.Ignore }).Exec(Abi.X86_64).Sigsys, Is.EqualTo(SigsysDisposition.Ignore));
    }

    [Test]
    public void Closing_a_listener_frees_the_chain_for_a_new_one()
    {
        var task = Task().AfterInstall(Request(SeccompFilterFlags.NewListener, Ret(SeccompRet.UserNotif)), 3);
        var again = Request(SeccompFilterFlags.NewListener, Ret(Allow));
        Assert.That(SeccompInstall.Decide(task, Kernel, again).Rule, Is.EqualTo(InstallRule.ListenerBusy));
        var closed = task.ListenerClosed(0);
        Assert.That(SeccompInstall.Decide(closed, Kernel, again).Result, Is.EqualTo(InstallResult.ReturnsListenerFd));
        Assert.That(task.Filters[0].HasOpenListener, Is.True, "a transition makes a new state");
    }
}
