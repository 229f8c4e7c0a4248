using Conformance.Model.Bpf;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;
using Conformance.Model.Task;
using static Conformance.Tests.Model.Bpf;

namespace Conformance.Tests.Model;

/// <summary>What each action does to the calling thread and its process, and what the handler, tracer or listener gets.</summary>
public class SyscallEffectTests
{
    const int Getppid = 110;

    static TaskState Task(KernelProfile? profile = null, Abi abi = Abi.X86_64) => new(abi, profile ?? KernelProfiles.Default) { NoNewPrivs = true };

    static TaskState With(TaskState task, uint ret, SeccompFilterFlags flags = SeccompFilterFlags.None) =>
        task.Attach(LoadedFilter.Load([Ret(ret)], task.Chain.Profile), flags);

    static SyscallOutcome Decide(TaskState task, int nr = Getppid, params ulong[] args) =>
        SeccompSyscall.Decide(task, new KernelDescription(task.Chain.Profile), SyscallQuery.Known(task.Abi, nr, args));

    [Test]
    public void With_no_filter_allow_or_log_the_call_runs()
    {
        Assert.That(Decide(Task()), Is.EqualTo(new CallRuns(RunsBecause.NoFilter, "no filter attached")));
        Assert.That(((CallRuns)Decide(With(Task(), Allow))).Because, Is.EqualTo(RunsBecause.Allowed));
        Assert.That(((CallRuns)Decide(With(Task(), SeccompRet.Log))).Because, Is.EqualTo(RunsBecause.Logged));
    }

    [Test]
    public void Errno_returns_its_data_capped_where_the_profile_caps_it()
    {
        Assert.That(((ReturnsErrno)Decide(With(Task(), Errno(7)))).Errno, Is.EqualTo(7));
        Assert.That(((ReturnsErrno)Decide(With(Task(), Errno(5000)))).Errno, Is.EqualTo(4095));
        Assert.That(((ReturnsErrno)Decide(With(Task(KernelProfiles.Linux4_4), Errno(5000)))).Errno, Is.EqualTo(5000));
    }

    [Test]
    public void The_outcome_names_the_winning_filter_action_and_data()
    {
        var task = With(With(With(Task(), Errno(3)), SeccompRet.Trap | 9), Allow);
        var verdict = Decide(task).Verdict;
        Assert.That(verdict, Is.EqualTo(new Verdict(SeccompAction.Trap, 9, SeccompRet.Trap | 9, 1)));
    }

    [Test]
    public void A_trap_reaches_a_handler_with_the_siginfo_and_the_rolled_back_number_on_x86()
    {
        var task = With(Task(), SeccompRet.Trap | 0x1234) with { Sigsys = SigsysDisposition.Handler };
        var handled = (SigsysHandled)Decide(task, Getppid, 0xdead);
        Assert.That(handled.Info, Is.EqualTo(new SigsysInfo(0x1234, Getppid, AuditArch.X86_64, RollbackRegister.SyscallNumber, Getppid)));
        Assert.That((handled.Info.Signo, handled.Info.Code), Is.EqualTo((KernelConstants.SIGSYS, KernelConstants.SYS_SECCOMP)));
    }

    [Test]
    public void On_arm_the_handler_finds_the_first_argument_in_the_return_register()
    {
        var arm64 = With(Task(abi: Abi.Aarch64), SeccompRet.Trap) with { Sigsys = SigsysDisposition.Handler };
        Assert.That(((SigsysHandled)Decide(arm64, 172, 0x1_0000_0007)).Info.ReturnValue, Is.EqualTo(0x1_0000_0007UL));
        var arm = With(Task(abi: Abi.Arm), SeccompRet.Trap) with { Sigsys = SigsysDisposition.Handler };
        var info = ((SigsysHandled)Decide(arm, 20, 0x1_0000_0007)).Info;
        Assert.That((info.Register, info.ReturnValue, info.Arch), Is.EqualTo((RollbackRegister.FirstArgument, 7UL, AuditArch.Arm)));
        var unknown = SeccompSyscall.Decide(arm64, new KernelDescription(KernelProfiles.Default), new SyscallQuery(Abi.Aarch64, 172, [null], 0));
        Assert.That(((SigsysHandled)unknown).Info.ReturnValue, Is.Null, "the filter does not read args[0], so the call is judged; the register is not known");
    }

    [TestCase(SigsysDisposition.Default, false)]
    [TestCase(SigsysDisposition.Ignore, false)]
    [TestCase(SigsysDisposition.Handler, true)]
    public void A_trap_that_cannot_be_handled_kills_the_process(SigsysDisposition disposition, bool blocked)
    {
        var task = With(Task(), SeccompRet.Trap) with { Sigsys = disposition, SigsysBlocked = blocked };
        task.SpawnThread();
        Assert.That(Decide(task), Is.TypeOf<ProcessKilled>().With.Property(nameof(ProcessKilled.Signal)).EqualTo(KernelConstants.SIGSYS));
    }

    [Test]
    public void Kill_thread_kills_only_the_thread_while_others_live_and_the_process_in_the_last_one()
    {
        var task = With(Task(), SeccompRet.KillThread);
        Assert.That(Decide(task), Is.TypeOf<ProcessKilled>());
        var sibling = task.SpawnThread();
        Assert.That(((ThreadKilled)Decide(task)).Signal, Is.EqualTo(KernelConstants.SIGSYS));
        sibling.ThreadExited();
        Assert.That(Decide(task), Is.TypeOf<ProcessKilled>(), "the sibling ended: this is the last thread again");
    }

    [Test]
    public void Kill_process_and_unknown_actions_kill_the_process_whatever_the_threads()
    {
        var task = With(Task(), SeccompRet.KillProcess);
        task.SpawnThread();
        Assert.That(Decide(task), Is.TypeOf<ProcessKilled>());
        var unknown = With(Task(), 0x10000000);
        unknown.SpawnThread();
        var outcome = Decide(unknown);
        Assert.That((outcome.GetType(), outcome.Verdict?.Ret), Is.EqualTo((typeof(ProcessKilled), 0x10000000u)));
    }

    [Test]
    public void Before_4_14_kill_process_is_a_thread_kill()
    {
        var task = With(Task(KernelProfiles.Linux4_9), SeccompRet.KillProcess);
        task.SpawnThread();
        Assert.That(Decide(task), Is.TypeOf<ThreadKilled>());
    }

    [Test]
    public void Trace_stops_for_a_seccomp_tracer_with_the_data_and_fails_with_enosys_without_one()
    {
        var task = With(Task(), SeccompRet.Trace | 0x42);
        Assert.That(((ReturnsErrno)Decide(task)).Errno, Is.EqualTo(Errnos.ENOSYS));
        Assert.That(((TraceStop)Decide(task with { SeccompTracer = true })).EventMessage, Is.EqualTo(0x42));
    }

    static SyscallOutcome Resume(TaskState task, int nr = Getppid) =>
        SeccompSyscall.ResumeAfterTrace(task, new KernelDescription(task.Chain.Profile), SyscallQuery.Known(task.Abi, nr));

    [Test]
    public void A_call_resumed_unchanged_from_its_seccomp_stop_runs_as_trace_on_the_recheck_means_allow()
    {
        var task = With(Task(), SeccompRet.Trace | 7) with { SeccompTracer = true };
        Assert.That(Decide(task), Is.TypeOf<TraceStop>());
        var resumed = (CallRuns)Resume(task);
        Assert.That((resumed.Because, resumed.Verdict!.Value.Action), Is.EqualTo((RunsBecause.TracerResumed, SeccompAction.Trace)));
    }

    [Test]
    public void The_recheck_acts_on_any_other_verdict_for_the_registers_the_tracer_left()
    {
        // ld nr; jeq getppid ? TRACE : ERRNO(9): a tracer that redirects the call meets the ERRNO.
        var filter = LoadedFilter.Load([LdAbs(0), Jump(Op.JMP | Op.JEQ | Op.K, Getppid, 0, 1), Ret(SeccompRet.Trace), Ret(Errno(9))], KernelProfiles.Default);
        var task = Task().Attach(filter, SeccompFilterFlags.None) with { SeccompTracer = true };
        Assert.That(((ReturnsErrno)Resume(task, 39)).Errno, Is.EqualTo(9));
        Assert.That(Resume(task, -1), Is.TypeOf<SkippedByTracer>(), "a negative number: the tracer skipped the call");
        var old = Task(KernelProfiles.Linux4_4).Attach(LoadedFilter.Load(filter.Original, KernelProfiles.Linux4_4), SeccompFilterFlags.None);
        Assert.That(((CallRuns)Resume(old, 39)).Because, Is.EqualTo(RunsBecause.TracerResumed), "before 4.8 no filter runs again");
    }

    [Test]
    public void User_notif_goes_to_the_winning_filters_open_listener_else_enosys()
    {
        var listening = With(Task(), SeccompRet.UserNotif, SeccompFilterFlags.NewListener);
        Assert.That(((UserNotification)Decide(listening)).Filter, Is.EqualTo(0));
        Assert.That(((ReturnsErrno)Decide(listening.ListenerClosed(0))).Errno, Is.EqualTo(Errnos.ENOSYS));
        Assert.That(((ReturnsErrno)Decide(With(Task(), SeccompRet.UserNotif))).Errno, Is.EqualTo(Errnos.ENOSYS), "no listener was ever made");
        var elsewhere = With(With(Task(), Allow, SeccompFilterFlags.NewListener), SeccompRet.UserNotif);
        Assert.That(((ReturnsErrno)Decide(elsewhere)).Errno, Is.EqualTo(Errnos.ENOSYS), "the listener belongs to another filter");
    }

    [Test]
    public void User_notif_before_5_0_is_an_unknown_action()
    {
        var task = With(Task(KernelProfiles.Linux4_19), SeccompRet.UserNotif, SeccompFilterFlags.NewListener);
        Assert.That(Decide(task), Is.TypeOf<ProcessKilled>());
    }

    [TestCase(Abi.X86_64, "rt_sigreturn", null)]
    [TestCase(Abi.Aarch64, "rt_sigreturn", null)]
    [TestCase(Abi.I386, "sigreturn", "rt_sigreturn")]
    [TestCase(Abi.Arm, "rt_sigreturn", "sigreturn")]
    public void Strict_mode_allows_read_write_exit_and_the_abis_sigreturn(Abi abi, string allowed, string? killed)
    {
        var task = Task(abi: abi) with { Mode = SeccompMode.Strict };
        foreach (var name in new[] { "read", "write", "exit", allowed })
            Assert.That(Decide(task, SyscallTable.NumberOf(abi, name)), Is.TypeOf<CallRuns>(), name);
        foreach (var name in new[] { "getpid", killed }.OfType<string>())
            if (SyscallTable.TryGetNumber(abi, name, out var nr))
                Assert.That(((ProcessKilled)Decide(task, nr)).Signal, Is.EqualTo(KernelConstants.SIGKILL), name);
    }

    [Test]
    public void Strict_mode_kills_only_the_thread_while_others_live()
    {
        var task = Task() with { Mode = SeccompMode.Strict };
        task.SpawnThread();
        Assert.That(((ThreadKilled)Decide(task, SyscallTable.NumberOf(Abi.X86_64, "getpid"))).Signal, Is.EqualTo(KernelConstants.SIGKILL));
    }

    [Test]
    public void An_unknown_field_matters_only_when_a_filter_loads_it()
    {
        // ld [24] (args[1] low); jeq 5 ? errno(1) : allow
        var task = Task().Attach(LoadedFilter.Load([LdAbs(24), Jump(Op.JMP | Op.JEQ | Op.K, 5, 0, 1), Ret(Errno(1)), Ret(Allow)], KernelProfiles.Default), SeccompFilterFlags.None);
        var kernel = new KernelDescription(KernelProfiles.Default);
        Assert.That(((CannotSay)SeccompSyscall.Decide(task, kernel, new SyscallQuery(Abi.X86_64, 1, [0, null], 0))).Field, Is.EqualTo(SeccompField.Arg1));
        Assert.That(SeccompSyscall.Decide(task, kernel, new SyscallQuery(Abi.X86_64, 1, [null, 5, null], null)), Is.TypeOf<ReturnsErrno>());
        var ip = Task().Attach(LoadedFilter.Load([LdAbs(12), RetA], KernelProfiles.Default), SeccompFilterFlags.None);
        Assert.That(((CannotSay)SeccompSyscall.Decide(ip, kernel, new SyscallQuery(Abi.X86_64, 1, [], null))).Field, Is.EqualTo(SeccompField.InstructionPointer));
    }

    [Test]
    public void A_call_the_kernel_runs_no_filter_for_is_decided_even_with_unknown_arguments()
    {
        var task = Task(KernelProfiles.Linux6_12).Attach(LoadedFilter.Load([LdAbs(16), Ret(Errno(1))], KernelProfiles.Linux6_12), SeccompFilterFlags.None);
        var kernel = new KernelDescription(KernelProfiles.Linux6_12);
        Assert.That(((CallRuns)SeccompSyscall.Decide(task, kernel, new SyscallQuery(Abi.X86_64, 335, [null], 0))).Because, Is.EqualTo(RunsBecause.Bypassed));
        Assert.That(SeccompSyscall.Decide(task, kernel, new SyscallQuery(Abi.X86_64, 39, [null], 0)), Is.TypeOf<CannotSay>());
    }
}
