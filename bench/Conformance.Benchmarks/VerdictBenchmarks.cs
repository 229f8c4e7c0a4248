using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Benchmarks;

/// <summary>
/// Verdicts per second of the reference model on one core: a chain of filters of 30 instructions
/// each (an arch check, a syscall dispatch, an argument check — the shape real policies have),
/// evaluated over a batch of varied system calls. One operation = one verdict.
/// </summary>
[Config(typeof(InProcessConfig))]
public class VerdictBenchmarks
{
    const int Batch = 1024;
    FilterChain _chain = null!;
    SeccompData[] _calls = null!;

    [Params(1, 4)]
    public int Filters;

    [GlobalSetup]
    public void Setup()
    {
        _chain = new FilterChain(KernelProfiles.Default);
        for (int f = 0; f < Filters; f++)
        {
            var filter = LoadedFilter.Load(ThirtyInstructionPolicy(f), KernelProfiles.Default);
            if (filter.Original.Length != 30 || !filter.LinuxAccepts)
                throw new InvalidOperationException("benchmark filter must be 30 accepted instructions");
            _chain.Attach(filter);
        }
        var rng = new Random(42);
        _calls = new SeccompData[Batch];
        for (int i = 0; i < Batch; i++)
            _calls[i] = new SeccompData(rng.Next(0, 40), i % 17 == 0 ? AuditArch.I386 : AuditArch.X86_64,
                (ulong)rng.NextInt64(), (ulong)rng.Next(0, 8), (ulong)rng.NextInt64(), 0, 0, 0, 0);
    }

    /// <summary>
    /// An arch check, 11 syscall numbers each with its own verdict, an argument test, allow:
    /// pc 0-3 preamble, 4-14 dispatch, 15-17 argument test, 18-28 verdicts, 29 allow.
    /// </summary>
    static Instruction[] ThirtyInstructionPolicy(int salt)
    {
        var p = new List<Instruction>
        {
            new(Op.LD | Op.W | Op.ABS, 0, 0, 4),
            new(Op.JMP | Op.JEQ | Op.K, 1, 0, AuditArch.X86_64),
            new(Op.RET | Op.K, 0, 0, SeccompRet.KillProcess),
            new(Op.LD | Op.W | Op.ABS, 0, 0, 0),
        };
        for (int i = 0; i < 11; i++)
            p.Add(new Instruction(Op.JMP | Op.JEQ | Op.K, 13, 0, (uint)(i * 3 + salt))); // to verdict i
        p.Add(new Instruction(Op.LD | Op.W | Op.ABS, 0, 0, 16));
        p.Add(new Instruction(Op.ALU | Op.AND | Op.K, 0, 0, 7));
        p.Add(new Instruction(Op.JMP | Op.JSET | Op.K, 0, 11, 4));
        for (int i = 0; i < 11; i++)
            p.Add(new Instruction(Op.RET | Op.K, 0, 0, i % 3 == 0 ? SeccompRet.Errno | (uint)i : SeccompRet.Allow));
        p.Add(new Instruction(Op.RET | Op.K, 0, 0, SeccompRet.Allow));
        return [.. p];
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int Verdicts()
    {
        int sum = 0;
        var calls = _calls;
        for (int i = 0; i < calls.Length; i++)
            sum += (int)_chain.Evaluate(calls[i]).Action;
        return sum;
    }
}

/// <summary>In-process runs: the benchmark measures the model, not a generated host project.</summary>
public class InProcessConfig : BenchmarkDotNet.Configs.ManualConfig
{
    public InProcessConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance));
        AddColumn(new VerdictsPerSecondColumn());
    }
}
