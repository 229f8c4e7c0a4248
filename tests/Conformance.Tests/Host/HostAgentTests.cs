using System.Text;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using static Conformance.Model.Bpf.Instruction;
using static Conformance.Model.Bpf.Op;

namespace Conformance.Tests.Host;

/// <summary>
/// The real agent on the host kernel (root, x86_64): each test is one case program, written the
/// way the kernel's seccomp_bpf.c writes its tests, and checks the raw observations.
/// </summary>
[TestFixture, Category("Host"), NonParallelizable]
public class HostAgentTests : HostAgentFixture
{
    [Test]
    public async Task Errno_from_a_filter_reaches_the_caller_and_the_parent_reaps_a_clean_exit()
    {
        var p = new ProgramBuilder();
        int f = p.AddFilter(OnSyscall(Nr("getppid"), SeccompRet.Errno | 7));
        p.Root(b => Wait(b.Fork(1, Dest.Reg(0), c => Install(c, 10, f).Syscall(12, Nr("getppid"))), 2, Operand.Reg(0)));

        var r = await Run(p);

        AssertNoAgentErrors(r);
        var child = r.Of<StartObservation>().Single(s => s.StepId == 1);
        Assert.That(r.Call(10).Ret, Is.Zero, "no_new_privs");
        Assert.That(r.Call(11).Ret, Is.Zero, "filter installed");
        Assert.That(r.Call(12).Ret, Is.EqualTo(-7));
        Assert.That(r.Call(2).Ret, Is.EqualTo(child.Pid), "wait4 reaped the child");
        Assert.That(new WaitStatus(RecordedInt(r.Call(2))).Exited, Is.True);
        Assert.That(new WaitStatus(RecordedInt(r.Call(2))).ExitCode, Is.Zero);
        Assert.That(r.Root.Exited && r.Root.ExitCode == 0, Is.True, r.Root.ToString());
    }

    [Test]
    public async Task Trap_runs_the_recording_handler_with_the_seccomp_siginfo()
    {
        var p = new ProgramBuilder();
        int f = p.AddFilter(OnSyscall(Nr("getpid"), SeccompRet.Trap | 0x2a));
        p.Root(b => Install(b.SigAction(1, SIGSYS, SignalDisposition.RecordingHandler), 2, f).Syscall(4, Nr("getpid")).Mark(5, 1));

        var r = await Run(p);

        AssertNoAgentErrors(r);
        Assert.That(r.Call(1).Ret, Is.Zero, "rt_sigaction");
        var si = r.Of<SigInfoObservation>().Single();
        Assert.That(si.StepId, Is.EqualTo(4), "recorded while step 4 ran");
        Assert.That(si.Signo, Is.EqualTo(SIGSYS));
        Assert.That(si.Code, Is.EqualTo(1), "SYS_SECCOMP");
        Assert.That(si.Errno, Is.EqualTo(0x2a), "si_errno carries the filter's data");
        Assert.That(si.Syscall, Is.EqualTo(Nr("getpid")));
        Assert.That(si.Arch, Is.EqualTo(AuditArch.X86_64));
        Assert.That(si.CallAddr, Is.Not.Zero);
        Assert.That(si.ContextRet, Is.EqualTo((ulong)Nr("getpid")), "x86_64 rollback puts orig_rax in rax");
        Assert.That(si.Flags & 1, Is.EqualTo(1), "recorded inside the handler");
        Assert.That(r.Of<MarkObservation>().Single().Value, Is.EqualTo(1u), "the handler returned and the body went on");
    }

    [Test]
    public async Task Kill_process_kills_the_case_root_with_SIGSYS()
    {
        var p = new ProgramBuilder();
        int f = p.AddFilter(OnSyscall(Nr("getpid"), SeccompRet.KillProcess));
        p.Root(b => Install(b, 1, f).Syscall(3, Nr("getpid")).Mark(4, 1));

        var r = await Run(p);

        AssertNoAgentErrors(r);
        Assert.That(r.Root.Signaled, Is.True, r.Root.ToString());
        Assert.That(r.Root.TermSignal, Is.EqualTo(SIGSYS));
        Assert.That(r.Of<SyscallObservation>().Where(o => o.StepId == 3), Is.Empty, "getpid never returned");
        Assert.That(r.Of<MarkObservation>(), Is.Empty);
        Assert.That(r.Of<EndObservation>(), Is.Empty);
    }

    [Test]
    public async Task Kill_thread_ends_only_the_thread_that_made_the_call()
    {
        var p = new ProgramBuilder();
        int f = p.AddFilter(OnSyscall(Nr("gettid"), SeccompRet.KillThread));
        p.Root(b => Install(b, 1, f)
            .Thread(3, Dest.Reg(1), t => t.Mark(30, 30).Syscall(31, Nr("gettid")).Mark(32, 32))
            .Join(4, Operand.Reg(1), 10_000)
            .Mark(5, 5));

        var r = await Run(p);

        AssertNoAgentErrors(r);
        var thread = r.Of<StartObservation>().Single(s => s.StepId == 3);
        Assert.That(thread.Tid, Is.Not.EqualTo(thread.Pid), "a thread of the root");
        Assert.That(r.Of<MarkObservation>().Select(m => m.Value), Is.EqualTo(new uint[] { 30, 5 }));
        Assert.That(r.Of<SyscallObservation>().Where(o => o.StepId == 31), Is.Empty);
        var join = r.Of<JoinObservation>().Single();
        Assert.That(join.Done, Is.True);
        Assert.That(join.JoinedTid, Is.EqualTo(thread.Tid));
        Assert.That(r.Of<EndObservation>().Where(e => e.Tid == thread.Tid), Is.Empty, "the thread never reached END");
        Assert.That(r.Of<EndObservation>().Single().StepId, Is.EqualTo(Body.RootStep), "the root carried on to its END");
        Assert.That(r.Root.Exited && r.Root.ExitCode == 0, Is.True, r.Root.ToString());
    }

    [Test]
    public async Task Trace_loop_sees_the_seccomp_stop_and_redirects_getpid_to_getppid()
    {
        const int PTRACE_SEIZE = 0x4206, PTRACE_O_TRACESECCOMP = 0x80;
        var p = new ProgramBuilder();
        int f = p.AddFilter(OnSyscall(Nr("getpid"), SeccompRet.Trace | 0x1234));
        p.Root(b => b
            .Fork(1, Dest.Reg(0), c => Install(c.WaitFlag(10, 0, 10_000), 11, f).Syscall(13, Nr("getpid"), Dest.Reg(2)))
            .Syscall(2, Nr("ptrace"), PTRACE_SEIZE, Operand.Reg(0), 0, PTRACE_O_TRACESECCOMP)
            .SetFlag(3, 0)
            .TraceLoop(4, Operand.Reg(0), TraceResume.Cont, 0, TraceResponse.Redirect(Nr("getppid"))));

        var r = await Run(p);

        AssertNoAgentErrors(r);
        var root = r.Of<StartObservation>().Single(s => s.StepId == Body.RootStep);
        var child = r.Of<StartObservation>().Single(s => s.StepId == 1);
        Assert.That(r.Call(2).Ret, Is.Zero, "PTRACE_SEIZE");
        Assert.That(r.Of<TimeoutObservation>(), Is.Empty);
        Assert.That(r.Call(13).Ret, Is.EqualTo(root.Pid), "getpid ran as getppid");
        var stop = r.Of<TraceStopObservation>().Single();
        Assert.That(stop.IsSeccompStop, Is.True);
        Assert.That(stop.EventMsg, Is.EqualTo(0x1234ul));
        Assert.That(stop.Nr, Is.EqualTo(Nr("getpid")));
        Assert.That(stop.Abi, Is.Zero);
        Assert.That(stop.ResponseIndex, Is.Zero);
        Assert.That(stop.ResponseErrno, Is.Zero);
        Assert.That(stop.Pid, Is.EqualTo(root.Pid), "recorded by the tracer");
        var end = r.Of<TraceEndObservation>().Single();
        Assert.That(end.WaitStatus.Exited && end.WaitStatus.ExitCode == 0, Is.True, end.WaitStatus.ToString());
        Assert.That(child.Ppid, Is.EqualTo(root.Pid));
    }

    [Test]
    public async Task User_notification_reply_becomes_the_return_value()
    {
        const int SECCOMP_SET_MODE_FILTER = 1, SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;
        const uint SECCOMP_IOCTL_NOTIF_RECV = 0xc0502100, SECCOMP_IOCTL_NOTIF_SEND = 0xc0182101;
        var p = new ProgramBuilder();
        // The root is filtered too once it installs: only getppid (which the root never calls) is notified.
        int f = p.AddFilter(OnSyscall(Nr("getppid"), SeccompRet.UserNotif));
        p.Root(b => b
            .Syscall(1, Nr("prctl"), PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
            .Syscall(2, Nr("seccomp"), Dest.Reg(5), SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, Operand.FProg(f))
            .Fork(3, Dest.Reg(0), c => c.Syscall(30, Nr("getppid")))
            .SyscallRecording(4, Nr("ioctl"), Dest.None, Operand.Scratch(0), 80, Operand.Reg(5), SECCOMP_IOCTL_NOTIF_RECV, Operand.Scratch(0))
            .Load(5, 8, Operand.Scratch(0), Dest.Reg(6))
            .Store(6, 8, Operand.Scratch(128), Operand.Reg(6))
            .Store(7, 8, Operand.Scratch(136), 4242)
            .Syscall(8, Nr("ioctl"), Operand.Reg(5), SECCOMP_IOCTL_NOTIF_SEND, Operand.Scratch(128)));
        p.Root(b => Wait(b, 9, Operand.Reg(0)));

        var r = await Run(p);

        AssertNoAgentErrors(r);
        var child = r.Of<StartObservation>().Single(s => s.StepId == 3);
        Assert.That(r.Call(2).Ret, Is.GreaterThan(2), "a listener fd");
        var recv = r.Call(4);
        Assert.That(recv.Ret, Is.Zero, "NOTIF_RECV");
        Assert.That(BitConverter.ToUInt32(recv.Recorded, 8), Is.EqualTo((uint)child.Pid), "seccomp_notif.pid");
        Assert.That(BitConverter.ToInt32(recv.Recorded, 16), Is.EqualTo(Nr("getppid")), "seccomp_notif.data.nr");
        Assert.That(BitConverter.ToUInt32(recv.Recorded, 20), Is.EqualTo(AuditArch.X86_64), "seccomp_notif.data.arch");
        Assert.That(r.Call(8).Ret, Is.Zero, "NOTIF_SEND");
        Assert.That(r.Call(30).Ret, Is.EqualTo(4242));
    }

    [Test]
    public async Task Exec_into_the_agent_keeps_the_filter()
    {
        var p = new ProgramBuilder();
        int f = p.AddFilter(OnSyscall(Nr("getppid"), SeccompRet.Errno | 7));
        p.Root(b => Install(b, 1, f)
            .Syscall(3, Nr("getppid"))
            .Set(4, Dest.Reg(3), 77)
            .Exec(5, ExecImage.Agent, e => e.Syscall(50, Nr("getppid")).Mark(51, 0).Set(52, Dest.Shared(0), Operand.Reg(3))
                .Load(53, 8, Operand.Scratch(0), Dest.Reg(9)).Syscall(54, Nr("getpid"), Dest.None)));

        var r = await Run(p);

        AssertNoAgentErrors(r);
        var root = r.Of<StartObservation>().Single(s => s.StepId == Body.RootStep);
        var image = r.Of<StartObservation>().Single(s => s.StepId == 5);
        Assert.That(image.Pid, Is.EqualTo(root.Pid), "same process, new image");
        Assert.That(image.Abi, Is.Zero);
        Assert.That(r.Call(3).Ret, Is.EqualTo(-7));
        Assert.That(r.Call(50).Ret, Is.EqualTo(-7), "the exec'd image is still filtered");
        Assert.That(r.Call(54).Ret, Is.EqualTo(root.Pid));
        Assert.That(r.Of<EndObservation>().Single().StepId, Is.EqualTo(5));
    }

    [Test]
    public async Task Compat_calls_see_the_i386_arch_from_int80_and_from_the_helper()
    {
        Assert.That(Session.Hello.Helpers, Does.Contain("i386"), "the host agent found its i386 helper");
        var p = new ProgramBuilder();
        int f = p.AddFilter(OnSyscall(I386("getppid"), SeccompRet.Errno | 9, AuditArch.I386, otherArch: SeccompRet.Allow));
        p.Root(b => Install(b, 1, f)
            .CompatSyscall(3, I386("getppid"), Dest.None)
            .Syscall(4, Nr("getppid"))
            .Exec(5, ExecImage.CompatHelper, e => e.Syscall(50, I386("getppid")).Syscall(51, I386("getpid"))));

        var r = await Run(p);

        AssertNoAgentErrors(r);
        var root = r.Of<StartObservation>().Single(s => s.StepId == Body.RootStep);
        Assert.That(r.Call(3).Ret, Is.EqualTo(-9), "int $0x80 getppid");
        Assert.That(r.Call(4).Ret, Is.EqualTo(root.Ppid), "native getppid is allowed");
        var helper = r.Of<StartObservation>().Single(s => s.StepId == 5);
        Assert.That(helper.Abi, Is.EqualTo(1), "the compat helper recorded START");
        Assert.That(r.Call(50).Ret, Is.EqualTo(-9), "the i386 helper's own getppid");
        Assert.That(r.Call(51).Ret, Is.EqualTo(root.Pid));
    }

    [Test]
    public async Task A_case_that_outlives_its_timeout_is_flagged_and_the_agent_serves_the_next()
    {
        var stuck = new ProgramBuilder();
        stuck.Root(b => b.Mark(1, 1).Fork(2, Dest.None, c => c.WaitFlag(20, 5, 60_000)).WaitFlag(3, 3, 60_000));
        var quick = new ProgramBuilder();
        quick.Root(b => b.Mark(1, 2));

        var results = await RunMany([stuck.Build()], timeoutMs: 300);
        var next = await Run(quick);

        Assert.That(results[0].TimedOut, Is.True);
        Assert.That(results[0].Root.Signaled && results[0].Root.TermSignal == 9, Is.True, results[0].Root.ToString());
        Assert.That(results[0].Of<MarkObservation>().Single().Value, Is.EqualTo(1u));
        Assert.That(next.TimedOut, Is.False);
        Assert.That(next.Of<MarkObservation>().Single().Value, Is.EqualTo(2u));
        Assert.That(next.Root.Exited, Is.True);
    }

    [Test]
    public async Task Read_file_shows_seccomp_mode_2_in_proc_status()
    {
        var p = new ProgramBuilder();
        int f = p.AddFilter([Stmt(RET | K, SeccompRet.Allow)]);
        int path = p.AddString("/proc/self/status");
        p.Root(b => Install(b, 1, f).ReadFile(3, Operand.Blob(path), 16384));

        var r = await Run(p);

        AssertNoAgentErrors(r);
        var file = r.Of<FileObservation>().Single();
        Assert.That(file.Ret, Is.EqualTo(file.Content.Length));
        Assert.That(file.Text, Does.Contain("Seccomp:\t2\n"));
        Assert.That(file.Text, Does.Contain("NoNewPrivs:\t1\n"));
    }

    [Test]
    public async Task Five_hundred_cases_in_one_run_come_back_in_order()
    {
        var programs = Enumerable.Range(0, 500).Select(i =>
        {
            var p = new ProgramBuilder();
            p.Root(b => b.Mark(1, (uint)i).Syscall(2, Nr("getppid")));
            return p.Build();
        }).ToList();

        var results = await RunMany(programs);

        Assert.That(results, Has.Count.EqualTo(500));
        Assert.That(results.Select(r => r.Of<MarkObservation>().Single().Value), Is.EqualTo(Enumerable.Range(0, 500).Select(i => (uint)i)));
        Assert.That(results.Zip(results.Skip(1)).All(x => x.Second.CaseId == x.First.CaseId + 1), Is.True);
        Assert.That(results.All(r => r.Root.Exited && !r.TimedOut && !r.AgentError), Is.True);
    }

    [Test]
    public async Task An_invalid_program_is_reported_with_its_byte_offset_and_the_next_case_runs()
    {
        var good = new ProgramBuilder();
        good.Root(b => b.Mark(1, 9));
        var bad = good.Build();
        bad[^7] = 0x7f;   // the MARK op byte becomes an unknown op

        var results = await RunMany([bad, good.Build()]);

        Assert.That(results[0].AgentError, Is.True);
        Assert.That(results[0].RootStatus, Is.EqualTo(-1));
        Assert.That(results[0].Of<ErrorObservation>().Single().Message, Does.Contain($"byte {bad.Length - 7}").And.Contain("unknown step op"));
        Assert.That(results[1].Of<MarkObservation>().Single().Value, Is.EqualTo(9u));
    }
}
