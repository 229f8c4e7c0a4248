using System.Buffers.Binary;
using Conformance.Machines.Protocol;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Features;
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
            _checks.Add(new Check("case", _case.Case.Pos.ToString(), $"to finish within {_case.Case.Timeout.TotalSeconds:0.#} s", "timed out: the agent killed it", false, false));
        else
            CheckRootFate(fate, state);

        if (_caseErrors.Count > 0)
            return new CaseVerdict(id, CaseStatus.Error, "the case cannot be judged: " + string.Join("; ", _caseErrors), _checks);
        var failed = _checks.Where(c => !c.Passed).ToList();
        return failed.Count == 0
            ? new CaseVerdict(id, CaseStatus.Pass, "", _checks)
            : new CaseVerdict(id, CaseStatus.Fail, string.Join("; ", failed.Select(f => $"{f.Step}: expected {f.Expected}, observed {f.Observed}")), _checks);
    }

    void CheckRootFate(Fate predicted, ActorState state)
    {
        var status = new WaitStatus(_result.RootStatus);
        Matcher? matcher = null;
        bool fromModel = true;
        string why = predicted.Why;
        if (_case.Case.Result is { } stated && Resolve(stated) is { } alt)
        {
            if (!alt.UseModel) { matcher = alt.Matcher; fromModel = false; why = "stated"; }
        }
        matcher ??= predicted.AsMatcher();
        bool ok = matcher.Exited is { } code ? status.Exited && status.ExitCode == code
            : matcher.Killed is { } sig && status.Signaled && status.TermSignal == sig && (matcher.Core is not { } core || status.CoreDumped == core);
        _checks.Add(new Check("case root", _case.Case.Pos.ToString(), $"{matcher} ({why})", status.ToString(), ok, fromModel));
    }

    /// <summary>Every wait step's answer tells how that child ended: remember it before walking.</summary>
    void CollectWaits()
    {
        foreach (var info in _case.Steps.Values.Where(s => s.Step is WaitStep))
            foreach (var call in _result.Observations.OfType<SyscallObservation>().Where(o => o.StepId == info.Id))
                if (call.Ret > 0 && call.Recorded.Length >= 4)
                {
                    var ws = new WaitStatus(BinaryPrimitives.ReadInt32LittleEndian(call.Recorded));
                    if (!ws.Stopped) _observedFate[(int)call.Ret] = FateOf(ws);
                }
    }

    static Fate FateOf(WaitStatus ws) =>
        ws.Signaled ? Fate.Killed(ws.TermSignal, ws.CoreDumped ? "observed (core)" : "observed") : Fate.Exit(ws.ExitCode, "observed");

    Fate Walk(IReadOnlyList<Step> steps, ActorCursor actor, ActorState state, Fate? observedFate)
    {
        Fate? predictedDeath = null;
        foreach (var step in steps)
        {
            if (_case.StepOf(step) is not { } info)
                continue; // left out here by its when:
            var taken = actor.Take(info.Id);
            bool records = AlwaysRecords(step);
            bool diedHere = records && !HasOwnRecord(step, taken) && actor.Exhausted && !actor.Ended;
            var view = new StepView(taken, diedHere, diedHere ? observedFate : null) { ReadsText = step is KmsgReadStep, IsWait = step is WaitStep };

            switch (step)
            {
                case ForkStep f:
                    WalkChild(f, f.Body, state, asThread: false);
                    break;
                case ThreadStep t:
                    WalkChild(t, t.Body, state, asThread: true);
                    break;
                case ExecStep e:
                {
                    var start = taken.OfType<StartObservation>().FirstOrDefault();
                    if (start is null)
                    {
                        JudgeStep(step, info, view, state, fallback: new Matcher { Ret = new ValueMatch("success", (x, _) => x >= 0) });
                        continue;
                    }
                    state.Task = state.Task.Exec(e.Compat ? _case.CompatAbi : _case.NativeAbi);
                    return Walk(e.Body, actor, state, observedFate);
                }
                case ExitStep x:
                    return KilledAtExit(x.Group ? "exit_group" : "exit", x.Code, "exit step", state)
                        ?? (x.Group || !state.IsThread ? Fate.Exit(x.Code, "exit step") : Fate.Exit(x.Code, "thread exit"));
                case WaitFlagStep:
                    if (view.TimedOut && step.Expect is null)
                        _checks.Add(new Check(step.Label, step.Pos.ToString(), "the flag to be set", "timed out", false, false));
                    else if (step.Expect is not null)
                        JudgeStep(step, info, view, state, null);
                    break;
                default:
                {
                    var prediction = JudgeStep(step, info, view, state, Fallback(step, state));
                    if (prediction is { Kills: true } && predictedDeath is null)
                    {
                        predictedDeath = prediction.KillsThreadOnly ? Fate.ThreadDied(prediction.Why)
                            : Fate.Killed(prediction.Matcher?.Killed ?? SIGSYS, prediction.Why);
                        if (!prediction.KillsThreadOnly)
                            state.Process.Death ??= predictedDeath with { Why = $"another thread: {prediction.Why}" };
                    }
                    Apply(step, info, view, state);
                    break;
                }
            }
            if (diedHere)
                return predictedDeath ?? state.Process.Death ?? Fate.Exit(0, "the model expected it to run on");
        }
        if (predictedDeath is not null)
            return predictedDeath;
        // The implicit exit_group(0) (or exit(0) for a thread).
        return KilledAtExit(state.IsThread ? "exit" : "exit_group", 0, "at the end", state) ?? Fate.Exit(0, "ran to the end");
    }

    /// <summary>exit and exit_group are system calls like any other: a filter or strict mode may kill the task there.</summary>
    Fate? KilledAtExit(string exitName, int code, string where, ActorState state)
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

    void WalkChild(Step step, IReadOnlyList<Step> body, ActorState parent, bool asThread)
    {
        if (_case.StepOf(step) is not { } info)
            return;
        var start = _index.StartsOf(info.Id).FirstOrDefault(s => s.Ppid == parent.Pid || asThread);
        if (start is null)
        {
            _checks.Add(new Check(step.Label, step.Pos.ToString(), $"the {(asThread ? "thread" : "child")} to start", "it never started", false, false));
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

    /// <summary>What a step must observe when the case says nothing.</summary>
    static Matcher? Fallback(Step step, ActorState state) => step switch
    {
        CallStep c => c.DefaultExpect,
        SigActionStep or SigMaskStep => new Matcher { Ret = new ValueMatch("0", (x, _) => x == 0) },
        KmsgMarkStep => new Matcher { Ret = new ValueMatch(">=0", (x, _) => x >= 0) },
        // A thread the model expects to take the whole process down never lets the join return.
        JoinStep when state.Process.Death is { Signal: { } sig } => new Matcher { Killed = sig },
        JoinStep => new Matcher { Done = true },
        _ => null,
    };

    Prediction? JudgeStep(Step step, StepInfo info, StepView view, ActorState state, Matcher? fallback)
    {
        Matcher? matcher;
        bool fromModel = false;
        Prediction? prediction = null;
        string why = "stated";
        var alt = step.Expect is { } e ? Resolve(e) : null;
        if (alt is { UseModel: true })
        {
            prediction = Predict(step, info, state);
            if (prediction.Matcher is null)
            {
                _caseErrors.Add($"{step.Pos}: {step.Label}: {prediction.Why}");
                return prediction;
            }
            matcher = prediction.Matcher;
            fromModel = true;
            why = prediction.Why;
        }
        else if (alt is not null)
        {
            matcher = alt.Matcher;
            // On a wait step `killed` describes the child, not the actor that waits.
            if (matcher?.Killed is { } sig && step is not WaitStep) prediction = new Prediction(matcher, "stated", Kills: true);
            if (matcher?.ThreadKilled == true) prediction = new Prediction(matcher, "stated", Kills: true, KillsThreadOnly: true);
        }
        else
        {
            matcher = fallback;
            why = "the step's default";
        }
        if (matcher is null)
            return prediction;

        var ctx = Context(state, info);
        var result = MatcherCheck.Evaluate(matcher, view, ctx, name => _case.Filters.GetValueOrDefault((name, info.Abi)));
        _checks.Add(new Check(step.Label, step.Pos.ToString(), $"{matcher} ({why})", result.Observed, result.Passed, fromModel));
        return prediction;
    }

    Prediction Predict(Step step, StepInfo info, ActorState state) => step switch
    {
        CallStep call => _predict.PredictCall(call, info, state),
        WaitStep w => OutcomePredictor.ArgValue(w.Target, state, info.Abi) is { } pid && _predictedFate.TryGetValue((int)pid, out var fate)
            ? new Prediction(fate.AsMatcher(), $"model: the child {fate}")
            : Prediction.Unknown($"no predicted fate for {w.Target}"),
        _ => Prediction.Unknown($"the model has nothing to say about {step.Label}; state the expectation"),
    };

    /// <summary>What the kernel did at this step changes the actor: follow it, not the prediction.</summary>
    void Apply(Step step, StepInfo info, StepView view, ActorState state)
    {
        var call = view.Call;
        switch (step)
        {
            case CallStep c when call is not null:
                if (c.Save is { } name) Save(state, name, call.Ret);
                if (call.Ret < 0) break;
                switch (c.Effect)
                {
                    case SetsNoNewPrivs: state.NoNewPrivs = true; break;
                    case SetsStrictMode: state.Mode = SECCOMP_MODE_STRICT; break;
                    case DropsCapabilities d when d.All || (d.Mask & (1UL << CAP_SYS_ADMIN)) != 0: state.CapSysAdmin = false; break;
                    case ChangesUid u when u.Uid != 0: state.CapSysAdmin = false; break;
                    case InstallInfo install: Attach(state, install, info.Abi, call.Ret); break;
                    case OpensPipe pipe when call.Recorded.Length >= 8:
                        Save(state, pipe.ReadName, BinaryPrimitives.ReadInt32LittleEndian(call.Recorded));
                        Save(state, pipe.WriteName, BinaryPrimitives.ReadInt32LittleEndian(call.Recorded.AsSpan(4)));
                        break;
                    case ClosesFd when c.Args.Count > 0 && OutcomePredictor.ArgValue(c.Args[0], state, info.Abi) is { } fd:
                        if (_listeners.TryGetValue((long)fd, out var l) && ReferenceEquals(l.Owner, state))
                            state.Task = state.Task.ListenerClosed(l.Filter);
                        break;
                }
                break;
            case SigActionStep s when call is { Ret: 0 } && s.Signo == SIGSYS:
                state.SigsysDisposition = s.Disposition;
                break;
            case SigMaskStep m when call is { Ret: 0 } && (m.Mask & (1UL << (SIGSYS - 1))) != 0:
                state.SigsysBlocked = m.How == SigMaskHow.Block;
                break;
            case WaitStep w when call is not null && w.Save is { } ws:
                Save(state, ws, call.Ret);
                break;
            case KmsgMarkStep k when call is not null && k.Save is { } ks:
                Save(state, ks, call.Ret);
                break;
            case NotifRecvStep n when call is { Ret: 0, Recorded.Length: >= 8 } && n.Save is { } ns:
                Save(state, ns, BinaryPrimitives.ReadInt64LittleEndian(call.Recorded));
                break;
            case JoinStep when view.Join is { Done: true }:
                state.Task = state.Task.ThreadExited();
                break;
            case SetStep s when s.Save is { } sn && OutcomePredictor.ArgValue(s.Value, state, info.Abi) is { } v:
                Save(state, sn, (long)v);
                break;
        }
    }

    /// <summary>The kernel's answer to an install decides what it attached (the model's transition), not the prediction.</summary>
    void Attach(ActorState state, InstallInfo install, Abi abi, long ret)
    {
        int before = state.Task.Filters.Count;
        state.Task = state.Task.AfterInstall(_predict.Request(install, abi), ret);
        int attached = state.Task.Filters.Count - 1;
        if (attached >= before && state.Task.Filters[attached].HasOpenListener)
            _listeners[ret] = (state, attached);
    }

    void Save(ActorState state, string name, long value)
    {
        if (name.StartsWith("shared.", StringComparison.Ordinal)) _shared[name] = value;
        else state.Saved[name] = value;
    }

    MatchContext Context(ActorState state, StepInfo info) => new(
        state.Pid, state.Tid, state.Ppid, info.Nr ?? -1,
        name => name.StartsWith("shared.", StringComparison.Ordinal) ? _shared.GetValueOrDefault(name) : state.Saved.TryGetValue(name, out var v) ? v : null,
        name => SyscallTable.TryGetNumber(info.Abi, name, out var n) ? n : null);

    ExpectAlternative? Resolve(Expectation e) => e.Alternatives.FirstOrDefault(a => a.When is null || Holds(a.When));

    bool Holds(Condition c) => c.Holds(_features, _case.Arch, _kernel);

    /// <summary>Steps after which the agent always leaves a record, so a missing one means the actor died there.</summary>
    static bool AlwaysRecords(Step step) => step is CallStep or WaitStep or ReadStep or JoinStep or MarkStep or TraceStep
        or NotifRecvStep or SigActionStep or SigMaskStep or KmsgMarkStep or KmsgReadStep;

    static bool HasOwnRecord(Step step, IReadOnlyList<Observation> taken) => step switch
    {
        CallStep or WaitStep or NotifRecvStep or SigActionStep or SigMaskStep or KmsgMarkStep or KmsgReadStep =>
            taken.OfType<SyscallObservation>().Any(o => (o.Flags & 1) == 0),
        _ => taken.Count > 0,
    };

    static bool ContainsTrace(Step s) => s switch
    {
        TraceStep => true,
        CallStep c => c.Label.StartsWith("ptrace", StringComparison.Ordinal),
        ForkStep f => f.Body.Any(ContainsTrace),
        ThreadStep t => t.Body.Any(ContainsTrace),
        ExecStep e => e.Body.Any(ContainsTrace),
        _ => false,
    };
}
