using Conformance.Machines.Host;
using Conformance.Machines.Protocol;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;
using static Conformance.Model.Bpf.Instruction;
using static Conformance.Model.Bpf.Op;

namespace Conformance.Tests.Host;

/// <summary>One real agent on the host kernel, shared by the tests of a fixture.</summary>
public abstract class HostAgentFixture
{
    protected HostMachine Machine = null!;
    protected AgentSession Session = null!;
    uint _caseId;

    [OneTimeSetUp]
    public async Task StartAgent()
    {
        Machine = new HostMachine();
        Session = await Machine.StartAsync(CancellationToken.None);
    }

    [OneTimeTearDown]
    public async Task StopAgent()
    {
        if (Machine != null) await Machine.DisposeAsync();
    }

    protected async Task<CaseResult> Run(ProgramBuilder program, int timeoutMs = 10_000)
    {
        var results = await RunMany([program.Build()], timeoutMs);
        return results.Single();
    }

    protected async Task<List<CaseResult>> RunMany(IEnumerable<byte[]> programs, int timeoutMs = 10_000)
    {
        var cases = programs.Select(p => new CaseRequest(++_caseId, TimeSpan.FromMilliseconds(timeoutMs), p)).ToList();
        var results = new List<CaseResult>();
        await foreach (var r in Session.RunAsync(cases, CancellationToken.None))
            results.Add(r);
        return results;
    }

    protected static int Nr(string name) => SyscallTable.NumberOf(Abi.X86_64, name);
    protected static int I386(string name) => SyscallTable.NumberOf(Abi.I386, name);

    protected const int PR_SET_NO_NEW_PRIVS = 38, PR_SET_SECCOMP = 22, SECCOMP_MODE_FILTER = 2;
    protected const int SIGSYS = 31;

    /// <summary>The kselftest shape: check the arch, then `action` for one syscall number, ALLOW otherwise.</summary>
    protected static Instruction[] OnSyscall(int nr, uint action, uint arch = AuditArch.X86_64, uint otherArch = SeccompRet.KillProcess) =>
    [
        Stmt(LD | W | ABS, 4),
        Jump(JMP | JEQ | K, arch, 1, 0),
        Stmt(RET | K, otherArch),
        Stmt(LD | W | ABS, 0),
        Jump(JMP | JEQ | K, (uint)nr, 0, 1),
        Stmt(RET | K, action),
        Stmt(RET | K, SeccompRet.Allow),
    ];

    /// <summary>prctl(PR_SET_NO_NEW_PRIVS, 1) then prctl(PR_SET_SECCOMP, 2, &amp;prog) as steps <paramref name="step"/> and step + 1.</summary>
    protected static Body Install(Body b, ushort step, int filter) => b
        .Syscall(step, Nr("prctl"), PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        .Syscall((ushort)(step + 1), Nr("prctl"), PR_SET_SECCOMP, SECCOMP_MODE_FILTER, Operand.FProg(filter));

    /// <summary>wait4(pid, scratch+off, 0, NULL), recording the status word.</summary>
    protected static Body Wait(Body b, ushort step, Operand pid, uint scratchOffset = 4096) =>
        b.SyscallRecording(step, Nr("wait4"), Dest.None, Operand.Scratch(scratchOffset), 4, pid, Operand.Scratch(scratchOffset), 0, 0);

    protected static int RecordedInt(SyscallObservation o) => BitConverter.ToInt32(o.Recorded, 0);

    protected static void AssertNoAgentErrors(CaseResult r) =>
        Assert.That(r.Of<ErrorObservation>().Select(e => e.Message), Is.Empty, "agent ERROR observations");
}
