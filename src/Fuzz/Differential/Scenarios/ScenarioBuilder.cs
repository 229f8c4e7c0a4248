using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing;

/// <summary>
/// Builds one scenario from a seed: the case root's prelude, then one to three episodes, each a
/// forked process that plays one shape (a lone process with its own children and exec, threads
/// that take turns, a supervisor and a notified target, a tracer and a tracee, a tracer that holds
/// its tracee in a seccomp stop). The interleavings that matter are built into the shapes with
/// flags, never left to the scheduler; within them every call, filter, flag and answer is random.
/// The other parts of the class (one idea per file) write filters, plain steps and each shape.
/// </summary>
internal sealed partial class ScenarioBuilder
{
    readonly ScenarioRandom _r;
    readonly ScenarioTarget _t;
    readonly ulong _seed;
    readonly List<FilterSpec> _filters = [];
    int _nextId = 1, _nextBundle = 1, _nextFlag;

    /// <summary>32 shared flags, each set once: a shape that needs more than are left is not built.</summary>
    const int FlagCount = 32;

    /// <summary>Unimplemented numbers filters may target; numbers a shape reserves for its protocol; numbers nothing targets.</summary>
    const int TargetHigh = 3499, ReservedLow = 3900, FreeLow = 3500, FreeHigh = 3899;

    /// <summary>Per ABI, the numbers filters pick their rules from and calls prefer: so calls meet filters.</summary>
    readonly Dictionary<Abi, List<int>> _pool = [];
    int _nextReserved = ReservedLow;

    /// <summary>Argument values and filter constants come from one pool, boundaries included, so comparisons go both ways.</summary>
    readonly List<ulong> _values = [];

    /// <summary>Processes in which a thread installed with TSYNC, and which threads did.</summary>
    readonly Dictionary<ProcessContext, List<ActorContext>> _tsyncBy = [];

    public ScenarioBuilder(ulong seed, ScenarioTarget target)
    {
        _seed = seed;
        _t = target;
        _r = new ScenarioRandom(seed ^ 0x5ce4a1105eedUL);
        _readDraws = new ScenarioRandom(seed ^ 0xcac4e2eadUL);
        foreach (var abi in Abis)
        {
            var named = _r.Shuffle(HarmlessCalls.Named.Select(n => HarmlessCalls.Number(abi, n.Name))).Take(_r.Between(2, 4));
            var unimplemented = Enumerable.Range(0, _r.Between(1, 3)).Select(_ => _r.Between(HarmlessCalls.UnimplementedLow, TargetHigh));
            _pool[abi] = [.. named, .. unimplemented];
        }
        ulong[] boundaries = [0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0xffffffff00000000, ulong.MaxValue];
        _values.AddRange(_r.Shuffle(boundaries).Take(5));
        for (int i = 0; i < 3; i++) _values.Add(_r.NextU64() >> _r.Pick(new[] { 0, 32, 48, 56 }));
    }

    /// <summary>The ABIs filters speak: the native one, and the 32-bit one where the machine runs 32-bit code.</summary>
    IReadOnlyList<Abi> Abis => _t.Has("compat") || _t.Has("int80") ? [_t.NativeAbi, _t.CompatAbi] : [_t.NativeAbi];

    public Scenario Build()
    {
        var root = new ActorContext { Abi = _t.NativeAbi, Process = new ProcessContext(), IsRoot = true };
        var steps = new List<ScenarioStep> { Mk(new ScRlimitCore(), note: "no core files, whatever a filter kills") };
        steps.AddRange(RootPrelude(root));
        int episodes = _r.Weighted((1, 35), (2, 45), (3, 20));
        for (int i = 0; i < episodes; i++)
            steps.AddRange(Episode(root));
        steps.AddRange(CacheRead(root, ReadAtEnd));
        return new Scenario(_t.Arch, _seed, [.. _filters], steps);
    }

    /// <summary>What the case root does before the episodes: whatever it sets up, every episode inherits.</summary>
    IEnumerable<ScenarioStep> RootPrelude(ActorContext root)
    {
        if (_r.Chance(40))
            return Plain(root, Section.Root, _r.Between(1, 4));
        return [];
    }

    IEnumerable<ScenarioStep> Episode(ActorContext root)
    {
        var shapes = new List<(Func<ActorContext, IEnumerable<ScenarioStep>?> Shape, int Weight)>
        {
            (Solo, 20),
            (Threads, 20),
            (Notify, _t.HasAction(SeccompAction.UserNotif) && _t.HasFlag("NEW_LISTENER") ? 30 : 0),
            (TraceLoop, _t.HasAction(SeccompAction.Trace) ? 15 : 0),
            (HeldStop, _t.HasAction(SeccompAction.Trace) ? 25 : 0),
        };
        var shape = _r.Weighted(shapes.ToArray());
        return shape(root) ?? Solo(root)!;
    }

    /// <summary>A step with the next id, its bundle, how it is judged and why.</summary>
    T Mk<T>(T step, int bundle = 0, Judging judge = Judging.Model, string? note = null, Interleavings part = Interleavings.None) where T : ScenarioStep =>
        (T)(step with { Id = _nextId++, Bundle = bundle, Judge = judge, Note = note, Interleaving = part });

    int NewBundle() => _nextBundle++;

    /// <summary>The next unused flag, or null when the case has used them all.</summary>
    int? NewFlag() => _nextFlag < FlagCount ? _nextFlag++ : null;

    int FlagsLeft => FlagCount - _nextFlag;

    /// <summary>An unimplemented number only one protocol call uses (no random filter or call ever picks it).</summary>
    int Reserve() => _nextReserved++;

    /// <summary>An unimplemented number no filter targets: the call is always allowed (and fails with ENOSYS).</summary>
    int FreeNumber() => _r.Between(FreeLow, FreeHigh);

    /// <summary>
    /// A step of <paramref name="actor"/> after a sibling thread may have TSYNCed a filter onto it: the
    /// judge walks each thread from its creation and never sees that, so the step is observed.
    /// </summary>
    bool Stale(ActorContext actor) => _tsyncBy.TryGetValue(actor.Process, out var by) && by.Any(x => x != actor);

    const string StaleNote = "a sibling thread may have TSYNCed a filter onto this thread; the judge walks each thread from its creation and cannot follow that";

    /// <summary>Observed instead of judged when the actor is stale; unchanged otherwise.</summary>
    T Judged<T>(ActorContext actor, T step) where T : ScenarioStep =>
        step.Judge == Judging.Model && Stale(actor) ? (T)(step with { Judge = Judging.Observe, Note = StaleNote }) : step;
}
