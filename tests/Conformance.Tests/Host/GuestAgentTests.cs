using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Machines.Protocol;
using Conformance.Machines.Vm;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;
using static Conformance.Model.Bpf.Instruction;
using static Conformance.Model.Bpf.Op;

namespace Conformance.Tests.Host;

/// <summary>
/// The agent as /init of a Debian 6.1 cloud kernel under QEMU (TCG), for each machine arch: the
/// arch-specific parts (raw calls, signal context offsets, thread clone, tracer registers, the
/// compat helper) observed on a real kernel of that arch.
/// </summary>
[TestFixture(KernelArch.X86_64), TestFixture(KernelArch.Aarch64), Category("Vm"), NonParallelizable]
public class GuestAgentTests(KernelArch arch)
{
    QemuMachine _machine = null!;
    AgentSession _session = null!;
    Abi _native, _compat;
    uint _arch, _compatArch;

    [OneTimeSetUp]
    public async Task Boot()
    {
        (_native, _compat, _arch, _compatArch) = arch == KernelArch.X86_64
            ? (Abi.X86_64, Abi.I386, AuditArch.X86_64, AuditArch.I386)
            : (Abi.Aarch64, Abi.Arm, AuditArch.Aarch64, AuditArch.Arm);
        var store = new KernelStore();
        var kernel = store.FindDebian(DebianKernelSeries.V6_1, arch) ?? await store.FetchDebianAsync(DebianKernelSeries.V6_1, arch);
        var image = await AgentGuestImage.BuildAsync(arch, store.CacheRoot);
        _machine = new QemuMachine(new QemuMachineOptions(kernel, image) { CacheRoot = store.CacheRoot });
        _session = await _machine.StartAsync(CancellationToken.None);
    }

    [OneTimeTearDown]
    public async Task Shutdown()
    {
        if (_machine != null) await _machine.DisposeAsync();
    }

    int Nr(string name) => SyscallTable.NumberOf(_native, name);
    int CompatNr(string name) => SyscallTable.NumberOf(_compat, name);

    Conformance.Model.Bpf.Instruction[] OnSyscall(int nr, uint action, uint arch, uint otherArch) =>
    [
        Stmt(LD | W | ABS, 4), Jump(JMP | JEQ | K, arch, 1, 0), Stmt(RET | K, otherArch),
        Stmt(LD | W | ABS, 0), Jump(JMP | JEQ | K, (uint)nr, 0, 1), Stmt(RET | K, action), Stmt(RET | K, SeccompRet.Allow),
    ];

    Body Install(Body b, ushort step, int filter) => b
        .Syscall(step, Nr("prctl"), 38, 1, 0, 0, 0)
        .Syscall((ushort)(step + 1), Nr("prctl"), 22, 2, Operand.FProg(filter));

    async Task<CaseResult> Run(ProgramBuilder p)
    {
        CaseResult? result = null;
        await foreach (var r in _session.RunAsync([new CaseRequest(1, TimeSpan.FromSeconds(30), p.Build())], CancellationToken.None))
            result = r;
        Assert.That(result!.Of<ErrorObservation>().Select(e => e.Message), Is.Empty);
        return result;
    }

    [Test]
    public void The_agent_is_init_and_found_its_compat_helper()
    {
        Assert.That(_session.Hello.IsInit, Is.True);
        Assert.That(_session.Hello.Machine, Is.EqualTo(arch.Name()));
        Assert.That(_session.Hello.Helpers, Is.EqualTo(new[] { arch == KernelArch.X86_64 ? "i386" : "arm" }));
    }

    [Test]
    public async Task Trap_siginfo_and_the_rolled_back_context()
    {
        var p = new ProgramBuilder();
        int f = p.AddFilter(OnSyscall(Nr("getpid"), SeccompRet.Trap | 0x2a, _arch, SeccompRet.KillProcess));
        p.Root(b => Install(b.SigAction(1, 31, SignalDisposition.RecordingHandler), 2, f).Syscall(4, Nr("getpid"), 5));

        var si = (await Run(p)).Of<SigInfoObservation>().Single();

        Assert.That((si.Signo, si.Code, si.Errno, si.Syscall, si.Arch), Is.EqualTo((31, 1, 0x2a, Nr("getpid"), _arch)));
        Assert.That(si.CallAddr, Is.EqualTo(si.ContextIp), "si_call_addr is the address after the call instruction");
        Assert.That(si.ContextNr, Is.EqualTo((ulong)Nr("getpid")));
        // Rollback: x86_64 puts orig_rax (the number) back in rax; arm64 puts orig_x0 (arg 0) back in x0.
        Assert.That(si.ContextRet, Is.EqualTo(arch == KernelArch.X86_64 ? (ulong)Nr("getpid") : 5ul));
    }

    [Test]
    public async Task Kill_thread_leaves_the_rest_of_the_process_running()
    {
        var p = new ProgramBuilder();
        int f = p.AddFilter(OnSyscall(Nr("gettid"), SeccompRet.KillThread, _arch, SeccompRet.KillProcess));
        p.Root(b => Install(b, 1, f).Thread(3, Dest.Reg(1), t => t.Mark(30, 30).Syscall(31, Nr("gettid")))
            .Join(4, Operand.Reg(1), 20_000).Mark(5, 5));

        var r = await Run(p);

        Assert.That(r.Of<MarkObservation>().Select(m => m.Value), Is.EqualTo(new uint[] { 30, 5 }));
        Assert.That(r.Of<JoinObservation>().Single().Done, Is.True);
        Assert.That(r.Root.Exited, Is.True, r.Root.ToString());
    }

    [Test]
    public async Task The_tracer_redirects_a_call_through_the_arch_register_interface()
    {
        var p = new ProgramBuilder();
        int f = p.AddFilter(OnSyscall(Nr("getpid"), SeccompRet.Trace | 0x1234, _arch, SeccompRet.KillProcess));
        p.Root(b => b
            .Fork(1, Dest.Reg(0), c => Install(c.WaitFlag(10, 0, 20_000), 11, f).Syscall(13, Nr("getpid")))
            .Syscall(2, Nr("ptrace"), 0x4206, Operand.Reg(0), 0, 0x80)
            .SetFlag(3, 0)
            .TraceLoop(4, Operand.Reg(0), TraceResume.Cont, 0, TraceResponse.Redirect(Nr("getppid"))));

        var r = await Run(p);

        var root = r.Of<StartObservation>().Single(s => s.StepId == Body.RootStep);
        var stop = r.Of<TraceStopObservation>().Single();
        Assert.That((stop.Event, stop.EventMsg, stop.Nr, stop.ResponseErrno), Is.EqualTo((7, 0x1234ul, (long)Nr("getpid"), 0)));
        Assert.That(r.Call(13).Ret, Is.EqualTo(root.Pid));
    }

    [Test]
    public async Task The_compat_helper_makes_32_bit_calls_under_the_inherited_filter()
    {
        var p = new ProgramBuilder();
        int f = p.AddFilter(OnSyscall(CompatNr("getppid"), SeccompRet.Errno | 9, _compatArch, SeccompRet.Allow));
        p.Root(b => Install(b, 1, f).Exec(3, ExecImage.CompatHelper, e => e.Syscall(30, CompatNr("getppid")).Syscall(31, CompatNr("getpid"))));

        var r = await Run(p);

        var root = r.Of<StartObservation>().Single(s => s.StepId == Body.RootStep);
        Assert.That(r.Of<StartObservation>().Single(s => s.StepId == 3).Abi, Is.EqualTo(1));
        Assert.That(r.Call(30).Ret, Is.EqualTo(-9));
        Assert.That(r.Call(31).Ret, Is.EqualTo(root.Pid));
    }
}
