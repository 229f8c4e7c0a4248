using Conformance.Fuzzing;
using Conformance.Fuzzing.Minimize;
using Conformance.Fuzzing.Verdicts;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Text;

namespace Conformance.Tests.Fuzzing;

/// <summary>The minimizer's shrinking steps: smaller, never invalid, and removal keeps what jumps mean.</summary>
public class FilterShrinkerTests
{
    static readonly KernelProfile Profile = KernelProfiles.Linux6_18;

    [Test]
    public void Every_candidate_of_an_accepted_body_is_accepted_and_no_larger()
    {
        var a = FuzzArch.For("x86_64");
        var generator = new FilterGenerator(new ConstantPool(a));
        var rng = new FuzzRandom(5);
        bool Valid(Instruction[] b) => FilterChecker.Check(FilterPrefix.Apply(a, b), Profile).Accepted;
        int offered = 0;
        for (int i = 0; i < 300; i++)
        {
            var body = generator.Body(rng, 2 + rng.Pick(30));
            foreach (var c in FilterShrinker.Candidates(body, Valid))
            {
                offered++;
                Assert.That(Valid(c), Is.True);
                Assert.That(c.Length, Is.LessThanOrEqualTo(body.Length));
            }
        }
        Assert.That(offered, Is.GreaterThan(1000));
    }

    [Test]
    public void Removing_an_instruction_retargets_the_jumps_over_it()
    {
        var body = Assembler.Assemble("""
            ld [0]
            jeq #400, hit, miss
            hit: ja next
            next: ret #ERRNO(1)
            miss: ret #ALLOW
            """);
        var without = FilterShrinker.Remove(body, 2);
        Assert.That(Disassembler.Disassemble(without), Is.EqualTo(Disassembler.Disassemble(Assembler.Assemble("""
            ld [0]
            jeq #400, hit, miss
            hit: ret #ERRNO(1)
            miss: ret #ALLOW
            """))));
    }

    [Test]
    public void Shrinking_to_a_fixed_point_on_a_predicate_reaches_the_few_instructions_that_matter()
    {
        // The "kernel" here: a body departs when nr 400 gets ERRNO(1). The greedy loop the
        // minimizer runs, without a kernel, must end at a handful of instructions.
        var a = FuzzArch.For("x86_64");
        var generator = new FilterGenerator(new ConstantPool(a));
        var rng = new FuzzRandom(9);
        var target = Assembler.Assemble("ld [0]\njeq #400, e, ok\ne: ret #ERRNO(1)\nok: ret #ALLOW");
        var noise = generator.Body(rng, 30)[..^1];
        // Noise first, with what could end the program early (a RET, a jump, a division by a zero X)
        // made a no-op, so control always reaches the part that matters.
        static bool Ends(Instruction i) => Op.ClassOf(i.Code) is Op.RET or Op.JMP || (Op.ClassOf(i.Code) == Op.ALU && Op.SrcOf(i.Code) == Op.X);
        var body = noise.Select(i => Ends(i) ? Instruction.Stmt(Op.JMP | Op.JA, 0) : i).Concat(target).ToArray();
        bool Departs(Instruction[] b)
        {
            var chain = new FilterChain(Profile);
            chain.Attach(LoadedFilter.Load(FilterPrefix.Apply(a, b), Profile));
            var v = chain.Evaluate(new SeccompData(400, a.AuditArch, 0, new ulong[6]));
            return v.Action == SeccompAction.Errno && v.Data == 1;
        }
        Assert.That(Departs(body), Is.True);
        bool Valid(Instruction[] b) => FilterChecker.Check(FilterPrefix.Apply(a, b), Profile).Accepted;
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var c in FilterShrinker.Candidates(body, Valid))
                if (Departs(c)) { body = c; changed = true; break; }
        }
        Assert.That(body.Length, Is.LessThanOrEqualTo(4), Disassembler.Disassemble(body));
    }
}
