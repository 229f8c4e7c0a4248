using Conformance.Model.Bpf;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using Conformance.Model.Task;
using static Conformance.Tests.Model.Bpf;

namespace Conformance.Tests.Model;

/// <summary>
/// A kernel under test may attach a program Linux rejects. The model still answers: loading never
/// throws, the chain never runs it, and a call under it is answered with the rule Linux applied.
/// </summary>
public class TotalityTests
{
    static IEnumerable<TestCaseData> Violations()
    {
        TestCaseData Case(CheckRule rule, int pc, params Instruction[] program) => new TestCaseData(program, rule, pc).SetName($"{rule}_{program.Length}");
        yield return Case(CheckRule.Length, -1);
        yield return Case(CheckRule.Length, -1, Repeat(LdAbs(0), 4097, Ret(Allow)));
        yield return Case(CheckRule.UnknownOpcode, 0, Stmt(0xff, 0), Ret(Allow));
        yield return Case(CheckRule.DivisionByZero, 0, AluK(Op.DIV, 0), RetA);
        yield return Case(CheckRule.ShiftTooLarge, 0, AluK(Op.LSH, 40), RetA);
        yield return Case(CheckRule.ScratchIndex, 1, LdImm(1), St(16), Ret(Allow));
        yield return Case(CheckRule.JumpOutOfRange, 0, Ja(5), Ret(Allow));
        yield return Case(CheckRule.JumpOutOfRange, 0, Jump(Op.JMP | Op.JEQ | Op.K, 0, 0, 200), Ret(Allow));
        yield return Case(CheckRule.UnknownAncillary, 0, Stmt(Op.LD | Op.W | Op.ABS, 0xfffff100), RetA);
        yield return Case(CheckRule.NoFinalReturn, 1, LdAbs(0), LdAbs(4));
        yield return Case(CheckRule.UninitializedScratch, 0, LdMem(3), RetA);
        yield return Case(CheckRule.NotAllowedInSeccomp, 0, Stmt(Op.LD | Op.B | Op.ABS, 0), RetA);
        yield return Case(CheckRule.LoadOffset, 0, LdAbs(64), RetA);
        yield return Case(CheckRule.LoadOffset, 0, LdAbs(2), RetA);
    }

    [TestCaseSource(nameof(Violations))]
    public void A_program_linux_rejects_loads_and_a_call_under_it_answers_with_the_rule(Instruction[] program, CheckRule rule, int pc)
    {
        var profile = KernelProfiles.Default;
        var loaded = LoadedFilter.Load(program, profile);
        Assert.That((loaded.Check.Rule, loaded.Check.Pc, loaded.LinuxAccepts), Is.EqualTo((rule, pc, false)));
        Assert.Throws<ArgumentException>(() => SeccompInterpreter.Load(program, profile), "the interpreter only takes what the checker proved safe");

        // The kernel under test said 0: the judge attaches it after an older, well-formed filter.
        var task = new TaskState(Abi.X86_64, profile) { NoNewPrivs = true }
            .Attach(LoadedFilter.Load([Ret(Errno(1))], profile), SeccompFilterFlags.None)
            .AfterInstall(InstallRequest.Plain(InstallCall.Seccomp, program), 0);
        var outcome = SeccompSyscall.Decide(task, new KernelDescription(profile), SyscallQuery.Known(Abi.X86_64, 39));
        Assert.That(outcome, Is.TypeOf<LinuxRejectsFilter>());
        var rejected = (LinuxRejectsFilter)outcome;
        Assert.That((rejected.Filter, rejected.Check.Rule, rejected.Check.Pc), Is.EqualTo((1, rule, pc)));
        Assert.That(task.Chain.Evaluate(new SeccompData(39, AuditArch.X86_64)).Action, Is.EqualTo(SeccompAction.Errno),
            "the chain's own verdict stays defined: the rejected filter takes no part");
    }

    [Test]
    public void Any_instruction_list_loads_installs_and_answers_without_throwing()
    {
        var rng = new Random(808);
        var kernel = new KernelDescription(KernelProfiles.Default);
        int rejected = 0;
        for (int n = 0; n < 3000; n++)
        {
            var program = new Instruction[rng.Next(0, 12)];
            for (int i = 0; i < program.Length; i++)
                program[i] = new Instruction((ushort)rng.Next(0, 0x100), (byte)rng.Next(0, 4), (byte)rng.Next(0, 4), rng.Next(3) == 0 ? (uint)rng.NextInt64(0, 1L << 32) : (uint)rng.Next(0, 70));
            var task = new TaskState(Abi.X86_64, KernelProfiles.Default) { NoNewPrivs = true };
            var outcome = SeccompInstall.Decide(task, kernel, InstallRequest.Plain(InstallCall.Seccomp, program));
            task = task.AfterInstall(InstallRequest.Plain(InstallCall.Seccomp, program), 0);
            var call = SeccompSyscall.Decide(task, kernel, SyscallQuery.Known(Abi.X86_64, rng.Next(0, 400), (ulong)rng.NextInt64()));
            if (!outcome.Accepted)
            {
                rejected++;
                Assert.That(call, Is.TypeOf<LinuxRejectsFilter>(), string.Join(",", program));
            }
            else
                Assert.That(call, Is.Not.TypeOf<LinuxRejectsFilter>());
        }
        Assert.That(rejected, Is.GreaterThan(1000), "random lists are mostly ones Linux rejects");
    }
}
