using Conformance.Fuzzing;
using Conformance.Fuzzing.Verdicts;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Tests.Fuzzing;

/// <summary>The verdict fuzzer's generator: valid by construction, invalid on purpose, all of seccomp's vocabulary.</summary>
public class FilterGeneratorTests
{
    static readonly KernelProfile Profile = KernelProfiles.Linux6_18;

    [TestCase("x86_64")]
    [TestCase("aarch64")]
    public void Generated_bodies_behind_the_prefix_are_accepted_by_the_checker(string arch)
    {
        var a = FuzzArch.For(arch);
        var generator = new FilterGenerator(new ConstantPool(a));
        var rng = new FuzzRandom(7);
        for (int i = 0; i < 5000; i++)
        {
            var body = generator.Body(rng, 1 + rng.Pick(80));
            var check = FilterChecker.Check(FilterPrefix.Apply(a, body), Profile);
            Assert.That(check.Accepted, Is.True, $"body #{i} rejected ({check.Reason}):\n{Conformance.Model.Text.Disassembler.Disassemble(body)}");
        }
    }

    [Test]
    public void Broken_bodies_are_rejected_mostly_and_for_many_reasons()
    {
        var a = FuzzArch.For("x86_64");
        var generator = new FilterGenerator(new ConstantPool(a));
        var rng = new FuzzRandom(11);
        int rejected = 0;
        var rules = new HashSet<string>();
        for (int i = 0; i < 3000; i++)
        {
            var check = FilterChecker.Check(FilterPrefix.Apply(a, InvalidMutator.Break(rng, generator.Body(rng, 2 + rng.Pick(20)))), Profile);
            if (check.Accepted) continue;
            rejected++;
            rules.Add(check.Rule.ToString());
        }
        // A mutation may happen to be valid (a random opcode that exists); most are not.
        Assert.That(rejected, Is.GreaterThan(2400));
        Assert.That(rules, Has.Count.GreaterThanOrEqualTo(6), string.Join(", ", rules));
    }

    [Test]
    public void Generation_covers_every_opcode_seccomp_takes_and_every_action()
    {
        var a = FuzzArch.For("x86_64");
        var generator = new FilterGenerator(new ConstantPool(a));
        var rng = new FuzzRandom(3);
        var codes = new HashSet<ushort>();
        var actions = new HashSet<uint>();
        for (int i = 0; i < 5000; i++)
            foreach (var insn in generator.Body(rng, 1 + rng.Pick(40)))
            {
                codes.Add(insn.Code);
                if (insn.Code == (Op.RET | Op.K)) actions.Add(insn.K & SeccompRet.ActionFull);
            }
        var seccompCodes = Enumerable.Range(0, 256).Select(c => (ushort)c)
            .Where(c => SeccompOpcodes.IsAllowed(c, Profile));
        Assert.That(seccompCodes, Is.SubsetOf(codes));
        Assert.That(new[] { SeccompRet.Allow, SeccompRet.Log, SeccompRet.Errno, SeccompRet.Trap, SeccompRet.Trace, SeccompRet.UserNotif, SeccompRet.KillThread, SeccompRet.KillProcess },
            Is.SubsetOf(actions));
    }

    [Test]
    public void The_same_seed_generates_the_same_stacks()
    {
        var pool = new ConstantPool(FuzzArch.For("aarch64"));
        string Run(ulong seed)
        {
            var source = new StackSource(pool, []);
            var rng = new FuzzRandom(seed);
            return string.Concat(Enumerable.Range(0, 50).Select(_ => source.Next(rng).ToCorpusText()));
        }
        var first = Run(42);
        Assert.That(Run(42), Is.EqualTo(first));
        Assert.That(Run(43), Is.Not.EqualTo(first));
    }

    [Test]
    public void The_prefix_lets_the_fuzz_threads_own_calls_through_and_starts_the_body_with_a_zero()
    {
        var a = FuzzArch.For("x86_64");
        // A body that kills everything: the own calls still pass; any other call reaches it.
        var program = FilterPrefix.Apply(a, [Instruction.Stmt(Op.RET | Op.A, 0)]);
        var chain = new FilterChain(Profile);
        chain.Attach(LoadedFilter.Load(program, Profile));
        foreach (var own in a.OwnCalls)
            Assert.That(chain.Evaluate(new SeccompData(own, a.AuditArch, 0, new ulong[6])).Action, Is.EqualTo(SeccompAction.Allow));
        // ret a with A = 0 is KILL_THREAD: the body saw A = 0, not the loaded number.
        Assert.That(chain.Evaluate(new SeccompData(400, a.AuditArch, 0, new ulong[6])).Action, Is.EqualTo(SeccompAction.KillThread));
        Assert.That(FilterPrefix.Strip(a, program), Has.Length.EqualTo(1));
    }

    [Test]
    public void No_harmless_number_is_a_call_the_fuzz_thread_makes_itself()
    {
        foreach (var arch in new[] { "x86_64", "aarch64" })
        {
            var a = FuzzArch.For(arch);
            Assert.That(a.HarmlessNumbers.Intersect(a.OwnCalls), Is.Empty, arch);
        }
    }
}
