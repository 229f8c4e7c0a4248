using Conformance.Machines.Protocol;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using static Conformance.Model.Bpf.Instruction;
using static Conformance.Model.Bpf.Op;

namespace Conformance.Tests.Host;

/// <summary>
/// The agent's FUZZ step (docs/agent-protocol.md §3, FUZZ) on the host kernel (root, x86_64): the
/// inputs it makes are FuzzInputs' derivation, each outcome is what the stack's filters decide,
/// and FUZZ_STACK's digest is FuzzDigest over the records a small model of those filters expects.
/// </summary>
[TestFixture, Category("Host"), NonParallelizable]
public class FuzzStepTests : HostAgentFixture
{
    const int ENOSYS = 38, EINVAL = 22;
    const int Unimplemented = 400, Unimplemented2 = 401, X32Unimplemented = 0x40000190;

    static readonly ulong[] ArgPool = [0, 1, 0xffffffff, 0x8000000000000000, 42];

    // Slot 1 sits inside a page, slot 2 straddles a page boundary, slot 3 is below 0x10000 and
    // slot 5 overlaps slot 1's stub (both unmapped), slot 4 shares slot 1's page.
    static readonly ulong[] SlotIps = [0x10000002, 0x20001001, 0x1000, 0x10000042, 0x10000003];
    static readonly bool[] SlotMapped = [true, true, true, false, true, false];

    /// <summary>What one filter of a stack answers, for the expected records.</summary>
    enum Rule { Allow, ErrnoFor400, TrapFor401, KillThreadFor400, KillProcessFor401, ErrnoOnSlot1Ip, Broken }

    /// <summary>The filter for a rule, behind a prefix that lets FUZZ's own calls through.</summary>
    static Instruction[] FilterOf(Rule rule) => rule switch
    {
        Rule.Allow => Guarded(),
        Rule.ErrnoFor400 => Guarded(Jump(JMP | JEQ | K, Unimplemented, 0, 1), Stmt(RET | K, SeccompRet.Errno | 5)),
        Rule.TrapFor401 => Guarded(Jump(JMP | JEQ | K, Unimplemented2, 0, 1), Stmt(RET | K, SeccompRet.Trap)),
        Rule.KillThreadFor400 => Guarded(Jump(JMP | JEQ | K, Unimplemented, 0, 1), Stmt(RET | K, SeccompRet.KillThread)),
        Rule.KillProcessFor401 => Guarded(Jump(JMP | JEQ | K, Unimplemented2, 0, 1), Stmt(RET | K, SeccompRet.KillProcess)),
        // ld [8]: the low word of seccomp_data.instruction_pointer.
        Rule.ErrnoOnSlot1Ip => Guarded(Stmt(LD | W | ABS, 8), Jump(JMP | JEQ | K, (uint)SlotIps[0], 0, 1), Stmt(RET | K, SeccompRet.Errno | 7)),
        // A jump past the end: the kernel's checker refuses it (EINVAL).
        _ => [Jump(JMP | JEQ | K, 0, 200, 0), Stmt(RET | K, SeccompRet.Allow)],
    };

    /// <summary>ld nr; seccomp, prctl, rt_sigreturn and exit go to the final ALLOW; then <paramref name="body"/>; then ALLOW.</summary>
    static Instruction[] Guarded(params Instruction[] body)
    {
        int[] own = [Nr("seccomp"), Nr("prctl"), Nr("rt_sigreturn"), Nr("exit")];
        var f = new List<Instruction> { Stmt(LD | W | ABS, 0) };
        for (int k = 0; k < own.Length; k++) f.Add(Jump(JMP | JEQ | K, (uint)own[k], (byte)(own.Length - k - 1 + body.Length), 0));
        f.AddRange(body);
        f.Add(Stmt(RET | K, SeccompRet.Allow));
        return [.. f];
    }

    /// <summary>The record one input gets under a stack of rules (the first deciding rule wins, as their actions are ordered here).</summary>
    static FuzzInputRecord Expected(FuzzInput i, IReadOnlyList<Rule> stack, FuzzSetupObservation setup)
    {
        var active = stack.TakeWhile(r => r != Rule.Broken).ToList();
        bool Has(Rule r) => active.Contains(r);
        if (i.Nr == Unimplemented2 && Has(Rule.KillProcessFor401)) return FuzzInputRecord.ProcessDied(i, SIGSYS);
        if (i.Nr == Unimplemented && Has(Rule.KillThreadFor400)) return FuzzInputRecord.ThreadDied(i);
        if (i.Nr == Unimplemented2 && Has(Rule.TrapFor401))
            return FuzzInputRecord.SigsysCaught(i, Unimplemented2, 0, 1, setup.Slots[i.Slot].Ip, Unimplemented2, AuditArch.X86_64);
        if (setup.Slots[i.Slot].Ip == SlotIps[0] && Has(Rule.ErrnoOnSlot1Ip)) return FuzzInputRecord.Returned(i, -7);
        if (i.Nr == Unimplemented && Has(Rule.ErrnoFor400)) return FuzzInputRecord.Returned(i, -5);
        return FuzzInputRecord.Returned(i, i.Nr == Nr("getuid") ? 0 : -ENOSYS);
    }

    static (ProgramBuilder, FuzzStep) BuildProgram(FuzzFlags flags, IReadOnlyList<int> nrs, params (Rule[] Rules, FuzzStack Stack)[] stacks)
    {
        var p = new ProgramBuilder();
        var index = new Dictionary<Rule, int>();
        foreach (var rule in Enum.GetValues<Rule>()) index[rule] = p.AddFilter(FilterOf(rule));
        var fuzzStacks = stacks.Select(s => s.Rules.Length == 0 ? s.Stack : Restacked(s.Stack, [.. s.Rules.Select(r => index[r])])).ToArray();
        var step = new FuzzStep(flags, nrs, ArgPool, SlotIps, fuzzStacks);
        p.Root(b => b.Fuzz(1, step).Mark(2, 2));
        return (p, step);
    }

    static FuzzStack Restacked(FuzzStack s, int[] filters) => s.Inputs is null ? FuzzStack.Seeded(filters, s.Seed, s.Count) : FuzzStack.Explicit(filters, s.Inputs);

    static (Rule[], FuzzStack) Seeded(ulong seed, uint count, params Rule[] rules) => (rules, FuzzStack.Seeded([0], seed, count));

    static int[] Pool => [Unimplemented, Unimplemented2, X32Unimplemented, Nr("getuid")];

    /// <summary>Checks every FUZZ_INPUT and FUZZ_STACK of a case against the rules; returns the records per stack.</summary>
    static List<List<FuzzInputRecord>> AssertOutcomes(CaseResult r, FuzzStep step, IReadOnlyList<Rule[]> rules)
    {
        AssertNoAgentErrors(r);
        Assert.That(r.Overflowed, Is.False, "the log held every record");
        var setup = r.Of<FuzzSetupObservation>().Single();
        var inputs = r.Of<FuzzInputObservation>().ToList();
        var stacks = r.Of<FuzzStackObservation>().ToList();
        Assert.That(stacks.Select(s => (int)s.Stack), Is.EqualTo(Enumerable.Range(0, step.Stacks.Count)), "a FUZZ_STACK per stack, in order");
        var all = new List<List<FuzzInputRecord>>();
        for (int s = 0; s < step.Stacks.Count; s++)
        {
            var got = inputs.Where(i => i.Stack == s).Select(i => i.Record).ToList();
            var want = step.InputsOf(s, setup).ToList();
            Assert.That(got.Select(g => g.Input), Is.EqualTo(want), $"stack {s}: the agent's inputs are FuzzInputs' derivation");
            var expected = want.Select(i => Expected(i, rules[s], setup)).ToList();
            for (int i = 0; i < got.Count; i++)
                Assert.That(got[i], Is.EqualTo(expected[i]), $"stack {s} ({string.Join(", ", rules[s])}), input {i}");
            var st = stacks[s];
            Assert.That(st.InputsDone, Is.EqualTo(step.Stacks[s].Count), $"stack {s}: inputs done");
            Assert.That(st.Digest, Is.EqualTo(FuzzDigest.Of(got)), $"stack {s}: digest over the agent's own records");
            Assert.That(st.Digest, Is.EqualTo(FuzzDigest.Of(expected)), $"stack {s}: digest over the expected records");
            Assert.That(st.ThreadsDied, Is.EqualTo((uint)got.Count(g => g.Kind == FuzzOutcome.ThreadDied)), $"stack {s}: threads died");
            Assert.That(st.ProcessesDied, Is.EqualTo((uint)got.Count(g => g.Kind == FuzzOutcome.ProcessDied)), $"stack {s}: processes died");
            all.Add(got);
        }
        Assert.That(r.Of<MarkObservation>().Single().Value, Is.EqualTo(2u), "the root went on after the step");
        Assert.That(r.Root.Exited && r.Root.ExitCode == 0, Is.True, r.Root.ToString());
        return all;
    }

    [Test]
    public async Task Every_input_gets_the_outcome_its_stack_decides_and_the_digest_matches()
    {
        var stacks = new (Rule[] Rules, FuzzStack Stack)[]
        {
            Seeded(1, 200, Rule.Allow),
            Seeded(2, 200, Rule.ErrnoFor400),
            Seeded(3, 200, Rule.TrapFor401),
            Seeded(4, 200, Rule.KillThreadFor400),
            Seeded(5, 200, Rule.KillProcessFor401),
            Seeded(6, 200, Rule.ErrnoOnSlot1Ip),
            Seeded(7, 100, Rule.Allow, Rule.Broken, Rule.ErrnoFor400),
            Seeded(8, 200, Rule.ErrnoFor400, Rule.TrapFor401, Rule.KillThreadFor400),
            ([Rule.KillProcessFor401, Rule.TrapFor401], FuzzStack.Explicit([0],
            [
                new(0, Unimplemented2, [1, 2, 3, 4, 5, 6], 1),
                new(0, Nr("getuid"), [0, 0, 0, 0, 0, 0], 3),
                new(0, Unimplemented2, [0, 0, 0, 0, 0, 0], 2),
                new(0, Unimplemented, [9, 9, 9, 9, 9, 9], 4),
            ])),
        };
        var (program, step) = BuildProgram(FuzzFlags.Detail, Pool, stacks);

        var r = await Run(program, timeoutMs: 60_000);

        var setup = r.Of<FuzzSetupObservation>().Single();
        Assert.That(setup.Slots.Select(s => s.Mapped), Is.EqualTo(SlotMapped), "which call sites the agent placed");
        Assert.That(setup.Slots.Skip(1).Select(s => s.Ip), Is.EqualTo(SlotIps), "placed slots report the requested ip");
        Assert.That(setup.Slots[0].Ip, Is.Not.Zero.And.LessThan(0x10000000ul), "slot 0 is in the agent's text");
        Assert.That(setup.References, Is.EqualTo(new long[] { -ENOSYS, -ENOSYS, -ENOSYS, 0 }), "unfiltered, all-zero calls: ENOSYS thrice, getuid 0 as root");

        var records = AssertOutcomes(r, step, [.. stacks.Select(s => s.Rules)]);

        var kinds = records.SelectMany(x => x).GroupBy(x => x.Kind).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(kinds.Keys, Is.EquivalentTo(Enum.GetValues<FuzzOutcome>()), "every outcome occurred");
        Assert.That(records[1].Any(x => x.Value == -5), Is.True, "ERRNO(5) seen");
        Assert.That(records[5].Any(x => x.Value == -7 && x.Slot == 1), Is.True, "the ip filter denied a call through slot 1");
        Assert.That(records.SelectMany(x => x).Where(x => x.Kind == FuzzOutcome.SigsysCaught).Select(x => x.Slot).Distinct().Count(),
            Is.GreaterThan(1), "SIGSYS through more than one call site");
        foreach (int s in new[] { 3, 4 })
        {
            var died = records[s].FindIndex(x => x.Kind is FuzzOutcome.ThreadDied or FuzzOutcome.ProcessDied);
            Assert.That(died, Is.GreaterThanOrEqualTo(0).And.LessThan(records[s].Count - 1), $"stack {s}: a death before the last input");
            Assert.That(records[s][died + 1].Index, Is.EqualTo((uint)died + 1), $"stack {s}: the input after a death still ran");
        }
        Assert.That(records[8].Select(x => x.Slot), Is.EqualTo(new byte[] { 1, 0, 2, 4 }), "explicit slot 3 (unmapped) fell back to 0");
        Assert.That(records[8].Select(x => x.Kind), Is.EqualTo(new[] { FuzzOutcome.ProcessDied, FuzzOutcome.Returned, FuzzOutcome.ProcessDied, FuzzOutcome.Returned }));

        var stackObs = r.Of<FuzzStackObservation>().ToList();
        Assert.That(stackObs[6].Installs, Is.EqualTo(new[] { 0, -EINVAL, FuzzStackObservation.NotAttempted }), "the refused filter and the one after it");
        Assert.That(stackObs[7].Installs, Is.EqualTo(new[] { 0, 0, 0 }));
        Assert.That(stackObs[3].ThreadsDied, Is.GreaterThan(0u));
        Assert.That(stackObs[4].ProcessesDied, Is.GreaterThan(0u));
        Assert.That(stackObs.Where(s => s.Stack is not (3 or 4 or 7 or 8)).All(s => s.ThreadsDied == 0 && s.ProcessesDied == 0), Is.True);
    }

    [Test]
    public async Task Prctl_installs_the_same_filters()
    {
        var stacks = new (Rule[] Rules, FuzzStack Stack)[]
        {
            Seeded(11, 300, Rule.ErrnoFor400, Rule.TrapFor401),
            Seeded(12, 50, Rule.Broken, Rule.Allow),
        };
        var (program, step) = BuildProgram(FuzzFlags.Detail | FuzzFlags.Prctl, Pool, stacks);

        var r = await Run(program, timeoutMs: 30_000);

        AssertOutcomes(r, step, [.. stacks.Select(s => s.Rules)]);
        var stackObs = r.Of<FuzzStackObservation>().ToList();
        Assert.That(stackObs[0].Installs, Is.EqualTo(new[] { 0, 0 }));
        Assert.That(stackObs[1].Installs, Is.EqualTo(new[] { -EINVAL, FuzzStackObservation.NotAttempted }));
    }

    [Test]
    public async Task Without_detail_only_the_digest_comes_back_and_it_matches_the_model()
    {
        var stacks = new (Rule[] Rules, FuzzStack Stack)[] { Seeded(21, 1000, Rule.ErrnoFor400, Rule.TrapFor401) };
        var (program, step) = BuildProgram(FuzzFlags.None, Pool, stacks);

        var r = await Run(program, timeoutMs: 30_000);

        AssertNoAgentErrors(r);
        var setup = r.Of<FuzzSetupObservation>().Single();
        Assert.That(r.Of<FuzzInputObservation>(), Is.Empty);
        var expected = step.InputsOf(0, setup).Select(i => Expected(i, stacks[0].Rules, setup));
        Assert.That(r.Of<FuzzStackObservation>().Single().Digest, Is.EqualTo(FuzzDigest.Of(expected)));
    }

    [Test]
    public async Task The_seeded_derivation_agrees_with_the_agent_for_thousands_of_inputs()
    {
        var stacks = new (Rule[] Rules, FuzzStack Stack)[]
        {
            Seeded(0x0123456789abcdef, 2000, Rule.Allow),
            Seeded(ulong.MaxValue, 1500, Rule.Allow),
        };
        // A larger pool, so every pick path (pool, random, small, flipped bit) meets many values.
        int[] nrs = [.. Pool, Nr("getuid"), Nr("getgid"), Nr("geteuid"), 402, 403, 404];
        var (program, step) = BuildProgram(FuzzFlags.Detail, nrs, stacks);

        var r = await Run(program, timeoutMs: 60_000);

        AssertNoAgentErrors(r);
        var setup = r.Of<FuzzSetupObservation>().Single();
        var inputs = r.Of<FuzzInputObservation>().ToList();
        Assert.That(inputs, Has.Count.EqualTo(3500));
        for (int s = 0; s < 2; s++)
        {
            var got = inputs.Where(i => i.Stack == s).Select(i => i.Record.Input).ToList();
            Assert.That(got, Is.EqualTo(step.InputsOf(s, setup)), $"stack {s}");
            Assert.That(inputs.Where(i => i.Stack == s).All(i => i.Record.Kind == FuzzOutcome.Returned), Is.True);
        }
        Assert.That(inputs.Select(i => i.Record.Slot).Distinct().Order(), Is.EqualTo(new byte[] { 0, 1, 2, 4 }), "every mapped slot, no unmapped one");
    }

    [Test]
    public async Task A_filter_that_stops_the_next_install_costs_its_stack_only()
    {
        var p = new ProgramBuilder();
        int killsSeccomp = p.AddFilter([Stmt(LD | W | ABS, 0), Jump(JMP | JEQ | K, (uint)Nr("seccomp"), 0, 1),
            Stmt(RET | K, SeccompRet.KillThread), Stmt(RET | K, SeccompRet.Allow)]);
        int allow = p.AddFilter(Guarded());
        p.Root(b => b.Fuzz(1, FuzzFlags.None, Pool, ArgPool, [],
            FuzzStack.Seeded([killsSeccomp, allow], 1, 20), FuzzStack.Seeded([allow], 2, 20)).Mark(2, 2));

        var r = await Run(p, timeoutMs: 30_000);

        Assert.That(r.Of<ErrorObservation>().Single().Message, Does.Contain("outside a fuzzed call"));
        Assert.That(r.Of<FuzzStackObservation>().Select(s => (int)s.Stack), Is.EqualTo(new[] { 1 }), "the next stack still ran");
        Assert.That(r.Of<MarkObservation>().Single().Value, Is.EqualTo(2u));
        Assert.That(r.Root.Exited && r.Root.ExitCode == 0, Is.True, r.Root.ToString());
    }

    [Test]
    public async Task A_call_that_never_returns_times_the_case_out_and_the_agent_serves_the_next()
    {
        const int FUTEX_WAIT_PRIVATE = 128;
        var p = new ProgramBuilder();
        int allow = p.AddFilter(Guarded());
        // futex-wait on a zero word of slot 1's page (mapped, never written) sleeps forever.
        ulong zeroWord = (SlotIps[0] & ~0xffful) + 0x800;
        p.Root(b => b.Fuzz(1, FuzzFlags.None, Pool, ArgPool, [SlotIps[0]],
            FuzzStack.Seeded([allow], 1, 20),
            FuzzStack.Explicit([allow], [new(0, Nr("futex"), [zeroWord, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0], 1)])));
        var quick = new ProgramBuilder();
        quick.Root(b => b.Mark(1, 7));

        var stuck = (await RunMany([p.Build()], timeoutMs: 1000)).Single();
        var next = await Run(quick);

        Assert.That(stuck.TimedOut, Is.True);
        Assert.That(stuck.Of<FuzzSetupObservation>().Single().IsMapped(1), Is.True);
        Assert.That(stuck.Of<FuzzStackObservation>().Select(s => (int)s.Stack), Is.EqualTo(new[] { 0 }), "no FUZZ_STACK for the unfinished stack");
        Assert.That(next.TimedOut, Is.False);
        Assert.That(next.Of<MarkObservation>().Single().Value, Is.EqualTo(7u));
    }

    [Test]
    public async Task A_fuzz_step_naming_a_missing_filter_is_an_invalid_program()
    {
        const ulong Seed = 0x1122334455667788;
        var p = new ProgramBuilder();
        p.AddFilter(Guarded());
        p.Root(b => b.Fuzz(1, FuzzFlags.None, Pool, ArgPool, [], FuzzStack.Seeded([0], Seed, 10)));
        var bad = p.Build();
        // The stack is u8 filter_count, u16 filter, u8 mode, u64 seed: the filter index sits 3 bytes before the seed.
        int seedAt = bad.AsSpan().IndexOf(BitConverter.GetBytes(Seed));
        int filterAt = seedAt - 3;
        Assert.That(BitConverter.ToUInt16(bad, filterAt), Is.Zero);
        bad[filterAt] = 1;

        var results = await RunMany([bad, p.Build()]);

        Assert.That(results[0].AgentError, Is.True);
        Assert.That(results[0].RootStatus, Is.EqualTo(-1));
        Assert.That(results[0].Of<ErrorObservation>().Single().Message,
            Does.Contain($"byte {filterAt}").And.Contain("filter index out of range"));
        Assert.That(results[1].AgentError, Is.False, "the next case runs");
        Assert.That(results[1].Of<FuzzStackObservation>().Single().InputsDone, Is.EqualTo(10u));
    }
}
