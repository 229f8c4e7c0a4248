using System.Buffers.Binary;
using Conformance.Machines.Protocol;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Steps;
using Conformance.Executor.Features;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;
using Conformance.Model.Task;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Judge;

/// <summary>
/// Judges one case's observations. It walks the case's steps actor by actor, in each actor's own
/// order, holding every step's records against its expectation (stated, or predicted by the model
/// from the actor's state at that point) and following what the kernel actually did, so one wrong
/// answer is reported once rather than cascading into every later step.
/// </summary>
public sealed class CaseJudge
{
    readonly CompiledCase _case;
    readonly CaseResult _result;
    readonly KernelFeatures _features;
    readonly KernelProfile _profile;
    readonly ObservationIndex _index;
    readonly OutcomePredictor _predict;
    readonly Version _kernel;
    readonly List<Check> _checks = [];
    readonly List<string> _caseErrors = [];
    readonly Dictionary<int, Fate> _predictedFate = [];
    readonly Dictionary<int, Fate> _observedFate = [];
    readonly Dictionary<string, long> _shared = [];
    readonly Dictionary<long, (ActorState Owner, int Filter)> _listeners = [];

    CaseJudge(CompiledCase compiled, CaseResult result, KernelFeatures features, KernelProfile profile)
    {
        _case = compiled;
        _result = result;
        _features = features;
        _profile = profile;
        _index = new ObservationIndex(result.Observations);
        _predict = new OutcomePredictor(compiled, features, profile, compiled.Case.Steps.Any(ContainsTrace));
        _kernel = KernelProfiles.ParseRelease(features.Release) ?? profile.Since;
    }

    public static CaseVerdict Judge(CompiledCase compiled, CaseResult result, KernelFeatures features, KernelProfile profile) =>
        new CaseJudge(compiled, result, features, profile).Run();

    CaseVerdict Run()
    {
        var id = _case.Case.Id;
        var agentErrors = _result.Observations.OfType<ErrorObservation>().Select(e => e.Message).ToList();
        if (_result.AgentError || agentErrors.Count > 0)
            return CaseVerdict.Errored(id, "the agent could not run the case: " + (agentErrors.Count > 0 ? string.Join("; ", agentErrors) : "agent error"));
        if (_result.Overflowed)
            return CaseVerdict.Errored(id, "the observation log overflowed; the case records too much");

        CollectWaits();
        var root = _index.StartsOf(Body.RootStep).FirstOrDefault();
        if (root is null)
            return CaseVerdict.Errored(id, "the case root never started");

        var state = new ActorState
        {
            Task = new TaskState(_case.NativeAbi, _profile),
            Process = new ProcessState(),
            Pid = root.Pid, Tid = root.Tid, Ppid = root.Ppid,
        };
        var actor = new ActorCursor(_index.Of(root.Pid, root.Tid), _case);
        actor.Skip(o => o is StartObservation { StepId: Body.RootStep });
        var observedRoot = _result.RootStatus == -1 ? null : FateOf(new WaitStatus(_result.RootStatus));
        var fate = Walk(_case.Case.Steps, actor, state, observedRoot);

        if (_result.TimedOut)
            _checks.Add(new Check("case", _case.Case.Pos.ToString(), $"to finish within {_case.Case.Timeout.TotalSeconds:0.#} s", "timed out: the agent killed it", false, false) { Keyword = "case" });
        else
            CheckRootFate(fate, state);

        var failed = _checks.Where(c => !c.Passed).ToList();
        // A failed check outranks steps that could not be judged after it: they follow from the
        // kernel's wrong answer (a filter Linux refuses, attached), and their reasons stay in the verdict.
        if (_caseErrors.Count > 0 && failed.Count == 0)
            return new CaseVerdict(id, CaseStatus.Error, "the case cannot be judged: " + string.Join("; ", _caseErrors), _checks);
        var unjudged = _caseErrors.Count > 0 ? "; later steps cannot be judged: " + string.Join("; ", _caseErrors) : "";
        return failed.Count == 0
            ? new CaseVerdict(id, CaseStatus.Pass, "", _checks)
            : new CaseVerdict(id, CaseStatus.Fail, string.Join("; ", failed.Select(f => $"{f.Step}: expected {f.Expected}, observed {f.Observed}")) + unjudged, _checks);
    }

    void CheckRootFate(Fate predicted, ActorState state)
    {
        var status = new WaitStatus(_result.RootStatus);
        var where = _case.Case.Pos.ToString();
        Matcher? matcher = null;
        bool fromModel = true;
        string why = predicted.Why;
        // No `result:` (or none of its alternatives holds) asks the model.
        var alternatives = _case.Case.Result is { } stated ? Applicable(stated).ToList() : [];
        if (alternatives.Count == 0)
            alternatives.Add(Expectation.Model.Alternatives[0]);
        foreach (var alt in alternatives)
        {
            if (alt.UseModel)
            {
                if (predicted.IsUnknown) continue;
                matcher = predicted.AsMatcher(_profile);
                break;
            }
            if (alt.Observe)
            {
                _checks.Add(new Check("case root", where, NotJudged(predicted.IsUnknown ? [predicted.Why] : []), status.ToString(), true, false) { Judged = false, Keyword = "case" });
                return;
            }
            matcher = alt.Matcher;
            fromModel = false;
            why = "stated";
            break;
        }
        if (matcher is null)
        {
            _caseErrors.Add($"{where}: case root: the model cannot say how the case root ends ({predicted.Why}); state the result");
            return;
        }
        bool ok = matcher.Exited is { } code ? status.Exited && status.ExitCode == code
            : matcher.Killed is { } sig && status.Signaled && status.TermSignal == sig && (matcher.Core is not { } core || status.CoreDumped == core);
        _checks.Add(new Check("case root", where, $"{matcher} ({why})", status.ToString(), ok, fromModel) { Keyword = "case" });
    }

    /// <summary>Every wait step's answer tells how that child ended: remember it before walking.</summary>
    void CollectWaits()
    {
        foreach (var info in _case.Steps.Values.Where(s => s.Step.Kind.RecordsWaitStatus))
            foreach (var call in _result.Observations.OfType<SyscallObservation>().Where(o => o.StepId == info.Id))
                if (call.Ret > 0 && call.Recorded.Length >= 4)
                {
                    var ws = new WaitStatus(BinaryPrimitives.ReadInt32LittleEndian(call.Recorded));
                    if (!ws.Stopped) _observedFate[(int)call.Ret] = FateOf(ws);
                }
    }

    static Fate FateOf(WaitStatus ws) =>
        ws.Signaled ? Fate.Killed(ws.TermSignal, ws.CoreDumped ? "observed (core)" : "observed") with { CoreDumped = ws.CoreDumped } : Fate.Exit(ws.ExitCode, "observed");

    /// <summary>One actor's steps in its own order; each kind judges its step (src/Catalogue/Steps/Kinds).</summary>
    internal Fate Walk(IReadOnlyList<Step> steps, ActorCursor actor, ActorState state, Fate? observedFate)
    {
        var frame = new WalkFrame(actor, state, observedFate);
        foreach (var step in steps)
        {
            if (_case.StepOf(step) is not { } info)
                continue; // left out here by its when:
            var kind = step.Kind;
            var taken = actor.Take(info.Id);
            bool diedHere = kind.AlwaysRecords && !kind.HasOwnRecord(taken) && actor.Exhausted && !actor.Ended;
            var view = new StepView(taken, diedHere, diedHere ? observedFate : null) { ReadsText = kind.ReadsText, IsWait = kind.RecordsWaitStatus };
            if (kind.Walk(this, frame, step, info, view) is { } ended)
                return ended;
            if (diedHere)
                return frame.PredictedDeath ?? state.Process.Death ?? (state.Process.Unjudged is { } unjudged
                    ? Fate.Unknown($"it died at {step.Label} ({step.Pos}), where the model expected it to run on, after a step it could not judge: {unjudged}")
                    : Fate.Exit(0, "the model expected it to run on"));
        }
        if (frame.PredictedDeath is { } death)
            return death;
        // The implicit exit_group(0) (or exit(0) for a thread).
        return KilledAtExit(state.IsThread ? "exit" : "exit_group", 0, "at the end", state) ?? Fate.Exit(0, "ran to the end");
    }

    /// <summary>A step judged against its expectation or its kind's default, then followed into the actor's state.</summary>
    internal void JudgeAndApply(WalkFrame frame, Step step, StepInfo info, StepView view)
    {
        var state = frame.State;
        var prediction = JudgeStep(step, info, view, state, step.Kind.Fallback(step, state));
        if (prediction is { Kills: true } && frame.PredictedDeath is null)
        {
            frame.PredictedDeath = prediction.KillsThreadOnly ? Fate.ThreadDied(prediction.Why)
                : Fate.Killed(prediction.Matcher?.Killed ?? SIGSYS, prediction.Why);
            if (!prediction.KillsThreadOnly)
                state.Process.Death ??= frame.PredictedDeath with { Why = $"another thread: {prediction.Why}" };
        }
        step.Kind.Apply(this, step, info, view, state);
    }

    /// <summary>exit and exit_group are system calls like any other: a filter or strict mode may kill the task there.</summary>
    internal Fate? KilledAtExit(string exitName, int code, string where, ActorState state)
    {
        if (!SyscallTable.TryGetNumber(state.Abi, exitName, out var nr))
            return null;
        var exitCall = new CallStep(_case.Case.Pos, exitName, new IntValue(nr), [new IntValue(code)]);
        var p = _predict.PredictCall(exitCall, new StepInfo(0, exitCall, state.Abi, nr), state);
        if (!p.Kills)
            return null;
        var why = $"{exitName} {where}: {p.Why}";
        return p.KillsThreadOnly ? Fate.ThreadDied(why) : Fate.Killed(p.Matcher?.Killed ?? SIGSYS, why);
    }

    internal void WalkChild(Step step, IReadOnlyList<Step> body, ActorState parent, bool asThread)
    {
        if (_case.StepOf(step) is not { } info)
            return;
        var start = _index.StartsOf(info.Id).FirstOrDefault(s => s.Ppid == parent.Pid || asThread);
        if (start is null)
        {
            _checks.Add(new Check(step.Label, step.Pos.ToString(), $"the {(asThread ? "thread" : "child")} to start", "it never started", false, false) { Keyword = step.Kind.Keyword });
            return;
        }
        var child = parent.Inherit(asThread);
        child.Pid = start.Pid;
        child.Tid = start.Tid;
        child.Ppid = start.Ppid;
        if (step.Save is { } name) Save(parent, name, asThread ? start.Tid : start.Pid);
        var cursor = new ActorCursor(_index.Of(start.Pid, start.Tid), _case);
        cursor.Skip(o => o is StartObservation s && s.StepId == info.Id);
        var observed = asThread ? null : _observedFate.GetValueOrDefault(start.Pid);
        var fate = Walk(body, cursor, child, observed);
        if (!asThread) _predictedFate[start.Pid] = fate;
    }

    internal Prediction? JudgeStep(Step step, StepInfo info, StepView view, ActorState state, Matcher? fallback)
    {
        Matcher? matcher = null;
        bool fromModel = false;
        Prediction? prediction = null;
        string why = "stated";
        var cannotSay = new List<string>();
        bool applies = false;
        // The first alternative whose `when` holds applies; a `model` one only where the model can say.
        foreach (var alt in step.Expect is { } e ? Applicable(e) : [])
        {
            applies = true;
            if (alt.UseModel)
            {
                prediction = step.Kind.Predict(this, step, info, state);
                if (prediction.Matcher is null)
                {
                    cannotSay.Add(prediction.Why);
                    continue;
                }
                matcher = prediction.Matcher;
                fromModel = true;
                why = prediction.Why;
                break;
            }
            if (alt.Observe)
            {
                var reason = NotJudged(cannotSay);
                state.Process.Unjudged ??= $"{step.Label} ({step.Pos}): {reason}";
                _checks.Add(new Check(step.Label, step.Pos.ToString(), reason, MatcherCheck.Describe(view), true, false) { Judged = false, Keyword = step.Kind.Keyword });
                return null;
            }
            matcher = alt.Matcher;
            // On a wait step `killed` describes the child, not the actor that waits.
            if (matcher?.Killed is { } sig && step is not WaitStep) prediction = new Prediction(matcher, "stated", Kills: true);
            if (matcher?.ThreadKilled == true) prediction = new Prediction(matcher, "stated", Kills: true, KillsThreadOnly: true);
            break;
        }
        if (matcher is null && cannotSay.Count > 0)
        {
            // Only `model` alternatives applied and the model could not say: the case must state it.
            _caseErrors.Add($"{step.Pos}: {step.Label}: {string.Join("; ", cannotSay)}");
            state.Process.Unjudged ??= $"{step.Label} ({step.Pos}): {cannotSay[0]}";
            return prediction;
        }
        if (!applies)
        {
            matcher = fallback;
            why = "the step's default";
        }
        if (matcher is null)
            return prediction;
        if (matcher.Cache is { Expected: null })
        {
            // `cache: model`: what the model's action cache holds for the filters of the task the file describes.
            if (CacheExpectationFor(step, state) is not { } want)
                return prediction;
            matcher = matcher with { Cache = new CacheMatch(want) };
            fromModel = true;
            why = "the model";
        }

        var ctx = Context(state, info);
        var result = MatcherCheck.Evaluate(matcher, view, ctx, name => _case.Filters.GetValueOrDefault((name, info.Abi)));
        _checks.Add(new Check(step.Label, step.Pos.ToString(), $"{matcher} ({why})", result.Observed, result.Passed, fromModel)
            { Keyword = step.Kind.Keyword, Cache = result.Cache });
        return prediction;
    }

    /// <summary>
    /// The filters whose cache a read of seccomp_cache shows, or null (a case error, said why) where the
    /// model cannot say: a kernel whose profile has no action cache, a filter Linux rejects that the
    /// kernel attached, or /proc/self (the thread group leader's file) read by another thread.
    /// </summary>
    CacheExpectation? CacheExpectationFor(Step step, ActorState state)
    {
        string? cannotSay = null;
        if (step is not ReadStep read)
            cannotSay = "cache: judges a read of seccomp_cache";
        else if (!_profile.HasActionCache)
            cannotSay = $"{_profile} has no action cache (5.11+), so the model cannot say what {read.Path} lists";
        else if (read.Path == CacheMatch.ProcessFile && state.IsThread)
            cannotSay = $"{read.Path} shows the thread group leader's filters, not this thread's: read {CacheMatch.ThreadFile}";
        else if (state.Task.Chain.FirstRejected is var rejected and >= 0)
            cannotSay = $"the kernel attached filter #{rejected}, which Linux rejects: Linux keeps no cache for it";
        if (cannotSay is not null)
        {
            // A read changes nothing the model follows: later steps stay judged.
            _caseErrors.Add($"{step.Pos}: {step.Label}: {cannotSay}");
            return null;
        }
        var r = (ReadStep)step;
        var chain = state.Task.Filters.Select(f => f.Program.Original).ToList();
        var task = r.Path == CacheMatch.ThreadFile ? "the reading thread" : "the reading process";
        return new CacheExpectation(_case.NativeAbi, chain, _profile, _features.Has("compat"), r.MaxLength, task);
    }

    /// <summary>What a not-judged check says it expected: nothing, and why.</summary>
    static string NotJudged(IReadOnlyList<string> cannotSay) =>
        cannotSay.Count > 0 ? $"not judged: the model cannot say ({string.Join("; ", cannotSay)})" : "not judged: observed as the case asks";

    internal CompiledCase Case => _case;
    internal KernelProfile Profile => _profile;
    internal OutcomePredictor Predictor => _predict;
    internal IReadOnlyDictionary<int, Fate> PredictedFate => _predictedFate;
    /// <summary>Listener fds by number: the actor whose filter's listener it is, and which filter.</summary>
    internal Dictionary<long, (ActorState Owner, int Filter)> Listeners => _listeners;

    internal void AddCheck(Check check) => _checks.Add(check);

    /// <summary>The kernel's answer to an install decides what it attached (the model's transition), not the prediction.</summary>
    internal void Attach(ActorState state, InstallInfo install, Abi abi, long ret)
    {
        int before = state.Task.Filters.Count;
        state.Task = state.Task.AfterInstall(_predict.Request(install, abi), ret);
        int attached = state.Task.Filters.Count - 1;
        if (attached >= before && state.Task.Filters[attached].HasOpenListener)
            _listeners[ret] = (state, attached);
    }

    internal void Save(ActorState state, string name, long value)
    {
        if (name.StartsWith("shared.", StringComparison.Ordinal)) _shared[name] = value;
        else state.Saved[name] = value;
    }

    MatchContext Context(ActorState state, StepInfo info) => new(
        state.Pid, state.Tid, state.Ppid, info.Nr ?? -1,
        name => name.StartsWith("shared.", StringComparison.Ordinal) ? _shared.GetValueOrDefault(name) : state.Saved.TryGetValue(name, out var v) ? v : null,
        name => SyscallTable.TryGetNumber(info.Abi, name, out var n) ? n : null)
    {
        MainThreadDeathIsStatus = !_profile.LastThreadSetsGroupExit,
    };

    /// <summary>The alternatives whose `when` holds on this machine, in the case's order.</summary>
    IEnumerable<ExpectAlternative> Applicable(Expectation e) => e.Alternatives.Where(a => a.When is null || Holds(a.When));

    bool Holds(Condition c) => c.Holds(_features, _case.Arch, _kernel);

    static bool ContainsTrace(Step s) => s.Kind.Traces(s) || s.Kind.Children(s).Any(ContainsTrace);
}
