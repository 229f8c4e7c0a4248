using Conformance.Executor;
using Conformance.Machines.Protocol;
using Conformance.Model.Bpf;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>
/// Stack runs as one case program with one FUZZ step (docs/agent-protocol.md): the filters once
/// each, the arch's harmless numbers, an argument pool of boundaries and the stacks' own constants,
/// and the arch's call sites. Decodes what comes back per stack.
/// </summary>
public sealed class VerdictBatch(FuzzArch arch, bool prctl)
{
    public const ushort StepId = 1;
    const int MaxArgPool = 1024;

    public IReadOnlyList<int> NrPool => arch.HarmlessNumbers;

    /// <summary>The argument pool for these runs: the boundaries, then the constants the stacks compare with, low word and high word.</summary>
    public static ulong[] ArgPool(IEnumerable<StackRun> runs) => ArgPool(runs.Select(r => r.Stack));

    public static ulong[] ArgPool(IEnumerable<FilterStack> stacks)
    {
        var pool = new List<ulong>(Verdicts.ConstantPool.ArgBoundaries);
        var seen = new HashSet<ulong>(pool);
        foreach (var insn in stacks.SelectMany(s => s.Bodies).SelectMany(b => b))
        {
            if (Op.ClassOf(insn.Code) != Op.JMP || Op.SrcOf(insn.Code) != Op.K || Op.OpOf(insn.Code) == Op.JA) continue;
            foreach (var v in new[] { (ulong)insn.K, (ulong)insn.K << 32, (ulong)insn.K | 0xffffffff00000000 })
                if (pool.Count < MaxArgPool && seen.Add(v))
                    pool.Add(v);
        }
        return [.. pool];
    }

    public CaseRequest Request(uint caseId, IReadOnlyList<StackRun> runs, bool detail, bool? jit, bool listener, bool tracer, out ulong[] argPool)
    {
        var pool = ArgPool(runs);
        argPool = pool;
        var program = new ProgramBuilder();
        var indices = new Dictionary<string, int>();
        var stacks = new List<FuzzStack>();
        foreach (var run in runs)
        {
            var filters = new List<int>();
            foreach (var p in run.Stack.Programs(arch))
            {
                var key = string.Join(',', p);
                if (!indices.TryGetValue(key, out var index))
                    indices[key] = index = program.AddFilter(p);
                filters.Add(index);
            }
            stacks.Add(run.Inputs is { } listed
                ? FuzzStack.Explicit(filters, listed)
                : FuzzStack.Seeded(filters, run.Seed, run.Count));
        }
        var flags = (detail ? FuzzFlags.Detail : FuzzFlags.None) | (prctl ? FuzzFlags.Prctl : FuzzFlags.None)
            | (jit is { } on ? FuzzFlags.SetJit | (on ? FuzzFlags.JitOn : FuzzFlags.None) : FuzzFlags.None)
            | (listener ? FuzzFlags.Listener : FuzzFlags.None) | (tracer ? FuzzFlags.Tracer : FuzzFlags.None);
        program.Root(b => b.Fuzz(StepId, flags, arch.HarmlessNumbers, pool, arch.SlotIps, [.. stacks]));
        long inputs = runs.Sum(r => (long)r.InputCount);
        // TCG guests manage a few hundred forks a second: a stack that kills its process on every
        // input is the slowest case, and a case that times out is still judged for what finished.
        var timeout = TimeSpan.FromSeconds(30) + TimeSpan.FromMilliseconds(4 * inputs);
        return new CaseRequest(caseId, timeout, program.Build());
    }

    /// <summary>The setup and the outcome of every run, in run order, from a completed case.</summary>
    public (VerdictSetup? Setup, StackOutcome[] Outcomes) Decode(IReadOnlyList<StackRun> runs, CaseResult result)
    {
        VerdictSetup? setup = null;
        var stacks = new Dictionary<int, FuzzStackObservation>();
        var records = new Dictionary<int, List<FuzzInputRecord>>();
        foreach (var o in result.Observations)
        {
            switch (o)
            {
                case FuzzSetupObservation s:
                    var refs = new Dictionary<int, long>();
                    for (int i = 0; i < arch.HarmlessNumbers.Count && i < s.References.Count; i++)
                        refs[arch.HarmlessNumbers[i]] = s.References[i];
                    setup = new VerdictSetup([.. s.Slots.Select(x => x.Ip)], [.. s.Slots.Select(x => x.Mapped)], refs);
                    break;
                case FuzzStackObservation st:
                    stacks[st.Stack] = st;
                    break;
                case FuzzInputObservation i:
                    if (!records.TryGetValue(i.Stack, out var list))
                        records[i.Stack] = list = [];
                    list.Add(i.Record);
                    break;
            }
        }
        var outcomes = new StackOutcome[runs.Count];
        for (int i = 0; i < runs.Count; i++)
        {
            var st = stacks.GetValueOrDefault(i);
            outcomes[i] = new StackOutcome(runs[i], st?.Installs ?? [], st?.Digest, records.GetValueOrDefault(i) ?? [],
                st?.ThreadsDied ?? 0, st?.ProcessesDied ?? 0);
        }
        return (setup, outcomes);
    }
}
