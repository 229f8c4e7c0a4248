using Conformance.Executor;
using Conformance.Fuzzing.Corpus;
using Conformance.Fuzzing.Findings;
using Conformance.Fuzzing.Minimize;
using Conformance.Machines.Protocol;
using Conformance.Model.Task;
using Microsoft.Extensions.Logging;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>
/// Verdict fuzzing on one kernel (mode `verdicts`): each iteration runs a batch of stacks, each
/// under many inputs the guest draws from a seed, and holds every install and every input against
/// the model. A departure is rerun (confirmed, located), minimized on the kernel and written as a
/// finding; a stack that showed the model something new joins the corpus.
/// </summary>
public sealed class VerdictFuzzer
{
    readonly FuzzArch _arch;
    readonly MachineInfo _machine;
    readonly VerdictDriver _driver;
    VerdictComparer _comparer;
    VerdictMinimizer _minimizer;
    readonly StackSource _source;
    readonly CorpusStore _corpus;
    readonly FindingStore _findings;
    readonly FuzzStats _stats;
    readonly ILogger _logger;
    readonly bool _prctl;
    readonly string _profile;
    readonly HashSet<string> _features = [];
    VerdictOracle _oracle;
    /// <summary>The checks per batch setting, indexed by <see cref="Setting"/>: listener bit 0, tracer bit 1.</summary>
    readonly (VerdictOracle Oracle, VerdictComparer Comparer, VerdictMinimizer Minimizer)[] _checks;
    readonly bool _canListen;
    bool _canTrace;
    VerdictSetup? _lastSetup;
    bool _toggleJit;

    public VerdictFuzzer(FuzzArch arch, MachineInfo machine, KernelDescription kernel, CaseExecutor executor, CorpusStore corpus,
        FindingStore findings, FuzzStats stats, ILogger logger)
    {
        _arch = arch;
        _machine = machine;
        // seccomp(2) where the kernel has it; prctl is the only way on the oldest.
        _prctl = !kernel.HasSeccompSyscall;
        _profile = kernel.Profile.Name;
        // In a guest the JIT is toggled between batches; the host's own setting is never touched.
        _toggleJit = machine.Hello.IsInit;
        stats.Jit = _toggleJit ? "on and off in turn" : "as the host has it";
        stats.JitToggled = _toggleJit;
        _driver = new VerdictDriver(executor, new VerdictBatch(arch, _prctl));
        _checks = [.. Enumerable.Range(0, 4).Select(s => Checks(arch, kernel, listener: (s & 1) != 0, tracer: (s & 2) != 0))];
        (_oracle, _comparer, _minimizer) = _checks[0];
        // Every other pair of batches gives each stack's last filter a listener the worker answers,
        // where the kernel has seccomp(2), NEW_LISTENER and USER_NOTIF.
        _canListen = !_prctl && (kernel.FilterFlags & Model.Kernel.SeccompFilterFlags.NewListener) != 0 && machine.Features.Has("action:USER_NOTIF");
        // Independently, every other four batches run under a seccomp tracer that resumes each stop
        // unchanged, where the kernel has the TRACE action (and until the agent fails to seize a worker).
        _canTrace = machine.Features.Has("action:TRACE");
        _corpus = corpus;
        _findings = findings;
        _stats = stats;
        _logger = logger;
        _source = new StackSource(new ConstantPool(arch), [.. corpus.ReadAll().Select(FilterStack.FromCorpusText).OfType<FilterStack>()]);
    }

    static int Setting(bool listener, bool tracer) => (listener ? 1 : 0) | (tracer ? 2 : 0);

    (VerdictOracle, VerdictComparer, VerdictMinimizer) Checks(FuzzArch arch, KernelDescription kernel, bool listener, bool tracer)
    {
        var oracle = new VerdictOracle(arch, kernel, _prctl, listener, tracer);
        var comparer = new VerdictComparer(arch, oracle);
        return (oracle, comparer, new VerdictMinimizer(arch, kernel.Profile, _driver, comparer));
    }

    public int StacksPerBatch { get; init; } = 16;
    public uint InputsPerStack { get; init; } = 256;
    public int InvalidPercent { init => _source.InvalidPercent = value; }

    /// <summary>One batch; returns the findings it added.</summary>
    public async Task<int> IterationAsync(ulong seed, CancellationToken cancellationToken)
    {
        var rng = new FuzzRandom(seed);
        _driver.Jit = _toggleJit ? (seed & 1) == 0 : null;
        bool listen = _canListen && (seed & 2) != 0, trace = _canTrace && (seed & 4) != 0;
        _driver.Listener = listen;
        _driver.Tracer = trace;
        (_oracle, _comparer, _minimizer) = _checks[Setting(listen, trace)];
        var stacks = Enumerable.Range(0, StacksPerBatch).Select(_ => (Stack: _source.Next(rng), Seed: rng.NextU64())).ToList();
        var pool = VerdictBatch.ArgPool(stacks.Select(s => s.Stack));
        var predictions = stacks.Select(s => Predict(s.Stack, s.Seed, pool)).ToList();
        var runs = stacks.Select((s, i) => StackRun.Seeded(s.Stack, s.Seed, predictions[i].Count)).ToList();
        var batch = await _driver.RunAsync(runs, detail: false, cancellationToken);
        if (batch.Setup is null)
            return await FaultAsync(batch, runs, seed, cancellationToken);
        _lastSetup = batch.Setup;
        if (batch.TracerRefused)
        {
            // The agent could not trace its worker (no ptrace here, or not allowed): no stack ran.
            _canTrace = false;
            _logger.LogInformation("{Machine}: the FUZZ step cannot trace its worker (PTRACE_SEIZE failed); fuzzing without a tracer from now on", _machine.Name);
            return 0;
        }
        if (batch.JitWrite is < 0)
        {
            // No such sysctl (no JIT), or a kernel with BPF_JIT_ALWAYS_ON refusing 0: leave it be.
            _toggleJit = false;
            _stats.JitToggled = false;
            _driver.Jit = null;
            _stats.Jit = $"as the kernel has it (setting it failed: {Model.Syscalls.ErrnoTable.NameOf((int)-batch.JitWrite) ?? batch.JitWrite.ToString()})";
            _logger.LogInformation("{Machine}: the JIT setting cannot be changed ({Errno}); fuzzing under the kernel's own", _machine.Name, batch.JitWrite);
        }

        int found = 0;
        foreach (var outcome in batch.Outcomes)
        {
            if (outcome.Digest is null)
                continue; // not finished: the case timed out (HangAsync below)
            _stats.AddStacks(1);
            _stats.AddVerdicts(outcome.Run.InputCount);
            // The model's records from sizing the stack hold when the kernel installed what the
            // model said and the guest's setup is the one assumed: only the digests are compared.
            var p = predictions[Array.IndexOf(batch.Outcomes, outcome)];
            if (p.Setup.SameAs(batch.Setup) && p.Installs.SequenceEqual(outcome.Installs) && p.Records is { } cached
                && FuzzDigest.Of(cached.Take(outcome.Run.InputCount)) == outcome.Digest)
            {
                Learn(outcome, [.. cached.Take(outcome.Run.InputCount)]);
                continue;
            }
            var d = _comparer.Compare(outcome, batch.Setup, batch.ArgPool, out var expected);
            if (d is null)
            {
                Learn(outcome, expected);
                continue;
            }
            _stats.AddDiscrepancy();
            found += await InvestigateAsync(outcome.Run, d, seed, cancellationToken) ? 1 : 0;
        }
        if (batch.Execution.Result is { TimedOut: true } && batch.Outcomes.FirstOrDefault(o => o.Digest is null) is { } stuck)
            found += await HangAsync(stuck.Run, seed, cancellationToken) ? 1 : 0;
        return found;
    }

    /// <summary>
    /// The model's records for a stack before it runs, and how many inputs it gets: all of <see cref="InputsPerStack"/>, unless the model says many
    /// of them kill the thread or the process, each of which costs the guest a new thread or process
    /// and the filters installed again, or wait for the listener's answer. Such a stack gets about 8 deaths' worth of inputs, so the
    /// batch's time goes to verdicts, not to forks. The model's answer only sizes the work here;
    /// every input that runs is still compared.
    /// </summary>
    Prediction Predict(FilterStack stack, ulong seed, ulong[] pool)
    {
        var setup = _lastSetup ?? new VerdictSetup([0, .. _arch.SlotIps], [.. Enumerable.Repeat(true, _arch.SlotIps.Count + 1)],
            _arch.HarmlessNumbers.ToDictionary(n => n, _ => -38L));
        var programs = stack.Programs(_arch);
        var (installs, thread) = _oracle.Install(programs, []);
        var inputs = FuzzInputs.Seeded(seed, InputsPerStack, _arch.HarmlessNumbers, pool, _arch.SlotIps.Count, s => s < setup.Mapped.Count && setup.Mapped[s]);
        var records = new List<FuzzInputRecord>(inputs.Count);
        foreach (var input in inputs)
        {
            if (_oracle.Expect(thread, input, setup) is not { } r)
                return new Prediction(InputsPerStack, setup, installs, null);
            records.Add(r);
        }
        // A notification costs the worker up to a millisecond's tick before it answers.
        int costly = records.Count(r => r.Kind is FuzzOutcome.ThreadDied or FuzzOutcome.ProcessDied || (r.Flags & FuzzInputRecord.NotifiedFlag) != 0);
        var count = costly <= 8 ? InputsPerStack : (uint)Math.Clamp(InputsPerStack * 8 / costly, 8, InputsPerStack);
        return new Prediction(count, setup, installs, records);
    }

    /// <summary>What the model expects of a stack before it runs: how many inputs to give it, and the records for them.</summary>
    sealed record Prediction(uint Count, VerdictSetup Setup, int[] Installs, IReadOnlyList<FuzzInputRecord>? Records);

    /// <summary>Reruns with DETAIL until the departing input is known and seen twice, minimizes and records it.</summary>
    async Task<bool> InvestigateAsync(StackRun run, Discrepancy first, ulong seed, CancellationToken cancellationToken)
    {
        var rerun = await _driver.RunAsync([run], detail: true, cancellationToken);
        if (rerun.Setup is null || _comparer.Compare(rerun.Outcomes[0], rerun.Setup, rerun.ArgPool) is not { } located)
        {
            _stats.AddUnconfirmed();
            _logger.LogWarning("seed {Seed}: {Signature} was not seen again on a rerun of this stack (input seed {InputSeed}, {Count} inputs):\n{Stack}",
                seed, first.Signature, run.Seed, run.Count, run.Stack.ToCorpusText());
            return false;
        }
        var input = located.Input ?? new FuzzInput(0, _arch.HarmlessNumbers[0], new ulong[6], 0);
        var (final, log) = await _minimizer.MinimizeAsync(new VerdictMinimizer.State(run.Stack, input), located, cancellationToken);

        // The minimized state once more, for the finding's own words.
        var last = await _driver.RunAsync([StackRun.Listed(final.Stack, [final.Input])], detail: true, cancellationToken);
        var d = last.Setup is null ? located : _comparer.Compare(last.Outcomes[0], last.Setup, last.ArgPool) ?? located;
        var programs = final.Stack.Programs(_arch);
        var bucket = $"{d.Signature} | {string.Join(" ; ", final.Stack.Bodies.Select(Shape))}";
        var comment = $"conformance fuzz (seed {seed}) on {_machine.Name} ({_machine.Hello.Release}, profile {_profile}):\n" +
                      $"observed: {d.Observed}\nexpected: {d.Expected} (the model)";
        var yaml = VerdictCaseWriter.Write($"fuzz/{d.Kind.ToString().ToLowerInvariant()}_{Finding.IdOf(d.Kind, bucket)}", comment, _arch.Name, _arch.Abi,
            programs, _prctl, d.Kind == FindingKind.Install ? null : final.Input.Nr, d.Kind == FindingKind.Install ? null : final.Input.Args);
        return Record(new Finding(d.Kind, bucket, d.Signature, d.Observed, d.Expected, yaml)
        {
            Seed = seed,
            MinimizationLog = log,
            ReplayNote = d.Kind == FindingKind.Verdict && final.Input.Slot != 0
                ? $"the call was made at instruction pointer 0x{(rerun.Setup!.Ips[final.Input.Slot]):x}, which a catalogue call cannot place"
                : _driver.Listener ? "the stack's last filter had a listener that answered every notification; the case installs it without one"
                : _driver.Tracer ? "the calls had a seccomp tracer that resumed every stop unchanged; the case has none (a TRACE there fails with ENOSYS)" : null,
        });
    }

    /// <summary>
    /// A batch timed out: the agent runs stacks in order, so the first that did not finish is the
    /// one that hung. Run alone again, it must hang again to be a finding.
    /// </summary>
    async Task<bool> HangAsync(StackRun run, ulong seed, CancellationToken cancellationToken)
    {
        var again = await _driver.RunAsync([run], detail: false, cancellationToken);
        if (again.Execution.Result is not { TimedOut: true })
        {
            _stats.AddUnconfirmed();
            _logger.LogWarning("seed {Seed}: a stack timed out once but not when run alone:\n{Stack}", seed, run.Stack.ToCorpusText());
            return false;
        }
        var comment = $"conformance fuzz (seed {seed}) on {_machine.Name} ({_machine.Hello.Release}): the inputs under this stack never finished\n" +
                      $"(seeded inputs: seed {run.Seed}, {run.Count} inputs)";
        var yaml = VerdictCaseWriter.Write($"fuzz/hang_{seed:x16}", comment, _arch.Name, _arch.Abi, run.Stack.Programs(_arch), _prctl, null, null);
        return Record(new Finding(FindingKind.Crash, $"hang | {string.Join(" ; ", run.Stack.Bodies.Select(Shape))}", "a stack's inputs never finish",
            $"FUZZ timed out under this stack (seed {run.Seed}, {run.Count} inputs), twice", "every input ends", yaml)
        {
            Seed = seed,
            ReplayNote = "the case installs the stack; the inputs that hung were drawn in the guest from the seed above (FuzzInputs)",
        });
    }

    /// <summary>The machine faulted (panic, oops, WARN, hang) under a batch: that is a finding too.</summary>
    async Task<int> FaultAsync(BatchResult batch, IReadOnlyList<StackRun> runs, ulong seed, CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        var exec = batch.Execution;
        if (exec.Status != ExecutionStatus.Faulted)
            throw new FuzzAbortedException(exec.NotRunReason ?? "the machine could not run the fuzz batch");
        var fault = exec.Fault!;
        var programs = runs.SelectMany(r => r.Stack.Programs(_arch)).Take(64).ToList();
        var yaml = VerdictCaseWriter.Write($"fuzz/crash_{seed:x16}", $"conformance fuzz (seed {seed}): {fault.Kind} on {_machine.Name}\n{fault.Summary}",
            _arch.Name, _arch.Abi, programs, _prctl, null, null);
        var finding = new Finding(FindingKind.Crash, $"{fault.Kind}: {CrashTitle.Of(fault.Summary)}", $"{fault.Kind}: {fault.Summary}",
            fault.Summary, "the kernel survives any filter and any input", yaml)
        {
            Seed = seed,
            ConsoleExcerpt = fault.Excerpt,
            ReplayNote = "the case installs the filters of the whole batch in one thread; the inputs were drawn in the guest from the seed",
        };
        return Record(finding) ? 1 : 0;
    }

    bool Record(Finding finding)
    {
        var f = finding with { Arch = _arch.Name, Kernel = _machine.Hello.Release, Profile = _profile, Jit = _driver.Jit is { } on ? (on ? "on" : "off") : null, Listener = _driver.Listener, Tracer = _driver.Tracer };
        bool added = _findings.Add(f);
        _stats.Findings = _findings.New;
        _stats.Duplicates = _findings.Duplicates;
        if (added)
            _logger.LogWarning("finding {Id}: {Title}", f.Id, f.Title);
        return added;
    }

    /// <summary>A stack joins the corpus when the model saw something new in it: an install result, an outcome class, an opcode.</summary>
    void Learn(StackOutcome outcome, IReadOnlyList<FuzzInputRecord> expected)
    {
        bool novel = false;
        foreach (var f in Features(outcome, expected))
            novel |= _features.Add(f);
        if (novel && _corpus.Add(outcome.Run.Stack.ToCorpusText()))
            _source.Remember(outcome.Run.Stack);
        _stats.CorpusSize = _corpus.Count;
    }

    static IEnumerable<string> Features(StackOutcome outcome, IReadOnlyList<FuzzInputRecord> expected)
    {
        var bodies = outcome.Run.Stack.Bodies;
        yield return $"installs {string.Join(",", outcome.Installs)}";
        foreach (var c in expected.Select(Discrepancy.Class).Distinct())
            yield return $"{bodies.Count} filters: {c}";
        foreach (var insn in bodies.SelectMany(b => b))
            yield return $"op {insn.Code:x4}" + (insn.Code == (Model.Bpf.Op.RET | Model.Bpf.Op.K) ? $" {insn.K & 0xffff0000:x8}" : "");
    }

    /// <summary>A body's shape for bucketing: its opcodes, not its constants.</summary>
    static string Shape(Model.Bpf.Instruction[] body) => string.Join(",", body.Select(i => i.Code.ToString("x", System.Globalization.CultureInfo.InvariantCulture)));
}
