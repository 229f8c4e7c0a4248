using System.Diagnostics;
using Conformance.Executor;
using Conformance.Executor.Features;
using Conformance.Fuzzing;
using Conformance.Fuzzing.Corpus;
using Conformance.Fuzzing.Findings;
using Conformance.Fuzzing.Verdicts;
using Conformance.Machines;
using Conformance.Machines.Host;
using Conformance.Machines.Kernels;
using Conformance.Machines.Protocol;
using Conformance.Machines.Vm;
using Conformance.Model.Syscalls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Benchmarks.Fuzz;

/// <summary>
/// The verdict fuzzer's throughput against a plain fork-per-case loop, on the same machine in the
/// same run: the loop sends one case per verdict (the agent forks a case root, which sets
/// no_new_privs, installs the stack and makes one call); the fuzzer sends FUZZ batches and judges
/// every input against the model (VerdictFuzzer.IterationAsync, exactly what `fuzz` runs). Both
/// draw their stacks from the same seeded generator. Boot time is not counted on either side.
///
///   dotnet run -c Release --project bench/Conformance.Benchmarks -- fuzz [--targets host,x86_64,aarch64] [--loop N] [--iterations N]
/// </summary>
public static class FuzzThroughput
{
    const string Usage = "usage: fuzz [--targets host,x86_64,aarch64] [--loop CASES] [--iterations N]";

    public static async Task<int> RunAsync(string[] args)
    {
        var targets = new List<string> { "host", "x86_64", "aarch64" };
        int loopCases = 400, iterations = 4;
        try
        {
            for (int i = 0; i < args.Length; i++)
                switch (args[i])
                {
                    case "--targets": targets = [.. args[++i].Split(',')]; break;
                    case "--loop": loopCases = int.Parse(args[++i]); break;
                    case "--iterations": iterations = int.Parse(args[++i]); break;
                    default: throw new ArgumentException($"unknown argument '{args[i]}'");
                }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException)
        {
            Console.Error.WriteLine($"{e.Message}; {Usage}");
            return 2;
        }

        Console.WriteLine($"# Verdict fuzzer against a fork-per-case loop, {DateTime.Now:yyyy-MM-dd HH:mm}, {Environment.ProcessorCount} host cores");
        Console.WriteLine("| target | loop: verdicts | loop: s | loop: verdicts/s | fuzz: verdicts | fuzz: s | fuzz: verdicts/s | factor |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var target in targets)
        {
            var (label, create) = await MachineFor(target);
            await using var executor = new CaseExecutor(create, new ExecutorOptions { PoolSize = 1, MaxRestarts = 5 }, NullLogger.Instance);
            var machine = await executor.StartAsync(CancellationToken.None);
            var arch = FuzzArch.For(machine.Arch);
            var (loopVerdicts, loopSeconds) = await LoopAsync(executor, arch, machine, loopCases);
            var (fuzzVerdicts, fuzzSeconds) = await FuzzerAsync(executor, arch, machine, iterations);
            double loopRate = loopVerdicts / loopSeconds, fuzzRate = fuzzVerdicts / fuzzSeconds;
            Console.WriteLine($"| {label} | {loopVerdicts} | {loopSeconds:F1} | {loopRate:F0} | {fuzzVerdicts} | {fuzzSeconds:F1} | {fuzzRate:F0} | {fuzzRate / loopRate:F1}x |");
        }
        return 0;
    }

    static async Task<(string, Func<IMachine>)> MachineFor(string target)
    {
        if (target == "host")
            return ("host", () => new HostMachine());
        var store = new KernelStore();
        var arch = KernelArchNames.Parse(target);
        var kernel = store.FindDebian(DebianKernelSeries.V6_1, arch) ?? await store.FetchDebianAsync(DebianKernelSeries.V6_1, arch, CancellationToken.None);
        var image = await AgentGuestImage.ForKernelAsync(kernel, store.CacheRoot, CancellationToken.None);
        return ($"{target} {kernel.Release} (TCG)", () => new QemuMachine(new QemuMachineOptions(kernel, image.Path) { CacheRoot = store.CacheRoot, AgentPort = image.Port }));
    }

    /// <summary>One case per verdict, all submitted at once (the executor streams them through one agent).</summary>
    static async Task<(long, double)> LoopAsync(CaseExecutor executor, FuzzArch arch, MachineInfo machine, int cases)
    {
        var source = new StackSource(new ConstantPool(arch), []);
        var rng = new FuzzRandom(2026);
        int prctl = SyscallTable.NumberOf(arch.Abi, "prctl"), seccomp = SyscallTable.NumberOf(arch.Abi, "seccomp");
        var requests = new List<CaseRequest>();
        for (int i = 0; i < cases; i++)
        {
            var stack = source.Next(rng);
            var input = FuzzInputs.Seeded(rng.NextU64(), 1, arch.HarmlessNumbers, VerdictBatch.ArgPool([StackRun.Seeded(stack, 0, 1)]), 0, _ => false)[0];
            var p = new ProgramBuilder();
            var filters = stack.Programs(arch).Select(p.AddFilter).ToList();
            p.Root(b =>
            {
                b.SigAction(1, 31, SignalDisposition.RecordingHandler);
                b.Syscall(2, prctl, Operand.Imm(38), Operand.Imm(1));
                foreach (var f in filters)
                    b.Syscall(3, seccomp, Operand.Imm(1), Operand.Imm(0), Operand.FProg(f));
                b.Syscall(4, input.Nr, [.. input.Args.Select(a => Operand.Imm(a))]);
            });
            requests.Add(new CaseRequest((uint)(i + 1), TimeSpan.FromSeconds(5), p.Build()));
        }
        var clock = Stopwatch.StartNew();
        long done = 0;
        await foreach (var e in executor.SubmitAsync(requests, CancellationToken.None))
            if (e.Status == ExecutionStatus.Completed) done++;
        return (done, clock.Elapsed.TotalSeconds);
    }

    static async Task<(long, double)> FuzzerAsync(CaseExecutor executor, FuzzArch arch, MachineInfo machine, int iterations)
    {
        var dir = Directory.CreateTempSubdirectory("fuzz-bench-").FullName;
        try
        {
            var stats = new FuzzStats();
            var fuzzer = new VerdictFuzzer(arch, machine, KernelDescriptions.Of(machine.Features, machine.Profile), executor,
                new CorpusStore(Path.Combine(dir, "corpus"), ".stack"), new FindingStore(dir), stats, NullLogger.Instance);
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < iterations; i++)
                await fuzzer.IterationAsync(FuzzRandom.Derive(2026, (ulong)i), CancellationToken.None);
            return (stats.Verdicts, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
