namespace Conformance.Fuzzing;

/// <summary>
/// A tracer that holds its tracee in a seccomp stop while a sibling thread of the tracee acts. The
/// tracee installs a filter that answers TRACE on every path for one reserved number, spawns a
/// thread that waits for its turn, and makes that call as soon as the tracer has seized it. The
/// tracer waits for the stop (wait4 sees it), maybe reads the event message, then gives the thread
/// its turn: it makes calls and installs filters, with TSYNC onto the stopped thread too, or forks.
/// Only after the turn does the tracer let the stopped call go on (the filters run again then) and
/// run the trace loop until the tracee ends. The stopped thread's later steps are observed if a
/// TSYNC may have reached it.
/// </summary>
internal sealed partial class ScenarioBuilder
{
    IEnumerable<ScenarioStep>? HeldStop(ActorContext parent)
    {
        if (FlagsLeft < 5)
            return null;
        int bundle = NewBundle();
        var tracer = parent.Fork();
        var s = new List<ScenarioStep>();
        s.AddRange(Plain(tracer, Section.Keeper, _r.Between(0, 2)));
        int ready = NewFlag()!.Value, go = NewFlag()!.Value, turnGo = NewFlag()!.Value, turnDone = NewFlag()!.Value, end = NewFlag()!.Value;

        var tracee = tracer.Fork();
        var p = new List<ScenarioStep> { Nnp(tracee) with { Bundle = bundle } };
        int nr = Reserve();
        var held = ProtocolFilter($"held{nr - ReservedLow}", nr, () => FilterAction.Trace(_r.Next(0x10000)));
        p.Add(Mk(new ScInstall(held.Name, [], null), bundle));
        tracee.Attach(held, listener: false, listenerFd: null, tsync: false);
        p.AddRange(CacheRead(tracee, ReadAfterInstall));
        p.AddRange(MaybeHandler(tracee));
        p.AddRange(Plain(tracee, Section.Prefix, _r.Between(0, 3)));

        // The sibling's turn runs while the tracee is held: written first, since it runs first.
        var t = tracee.Thread();
        var turn = new List<ScenarioStep> { Mk(new ScWaitFlag(turnGo), bundle, Judging.Default, part: Interleavings.ActWhileStopped) };
        turn.AddRange(Turn(t));
        if (_r.Chance(20))
        {
            t.OpenChildren++;
            turn.AddRange(Solo(t, depth: 1));
            t.OpenChildren--;
        }
        turn.Add(Mk(new ScSetFlag(turnDone), bundle, Judging.Default));
        turn.Add(Mk(new ScWaitFlag(end), bundle, Judging.Default));
        p.Add(Mk(new ScThread(turn, "t1"), bundle, Judging.Default));
        p.Add(Mk(new ScSetFlag(ready), bundle, Judging.Default));
        p.Add(Mk(new ScWaitFlag(go) { Seized = true }, bundle, Judging.Default));
        p.Add(NewCall(_t.NativeAbi, nr, int80: false, CallRole.HeldStop, bundle, Interleavings.ActWhileStopped) with
            { Note = "the tracer holds this call in its seccomp stop while the sibling thread takes its turn" });
        p.Add(Mk(new ScSetFlag(end), bundle, Judging.Default));
        p.Add(Mk(new ScJoin("t1"), bundle, Judging.Default));
        tracee.Process.Threads--;
        // Traced and single-threaded again: the tracer may kill at any later stop, so this is the tail.
        p.AddRange(Tail(tracee, _r.Between(1, 4), mayExec: false));

        s.Add(Mk(new ScFork(p, "p"), bundle, Judging.Default));
        s.Add(Mk(new ScWaitFlag(ready), bundle, Judging.Default));
        s.Add(Mk(new ScPtrace("SEIZE", "p", SeizeOptions()), bundle));
        s.Add(Mk(new ScSetFlag(go), bundle, Judging.Default));
        s.Add(Mk(new ScWait("p"), bundle, Judging.Observe, "wait4 reports the seccomp stop; the model predicts how a child ends, not its stops"));
        if (_r.Chance(50))
            s.Add(Mk(new ScPtrace("GETEVENTMSG", "p", [])));
        s.Add(Mk(new ScSetFlag(turnGo), bundle, Judging.Default, part: Interleavings.ActWhileStopped));
        s.Add(Mk(new ScWaitFlag(turnDone), bundle, Judging.Default));
        s.Add(Mk(new ScPtrace("CONT", "p", []), bundle));
        var replies = Replies(tracee.Abi, _r.Between(0, 3));
        s.Add(Mk(new ScTrace("p", _r.Chance(20), replies), bundle));
        if (replies.Any(r => r.Detaches))
            s.Add(Mk(new ScWait("p"), bundle, Judging.Observe,
                "after a detach the tracee is the tracer's child again, unless it ended first and the trace loop reaped it"));
        s.AddRange(Tail(tracer, _r.Between(0, 2), mayExec: false));
        return
        [
            Mk(new ScFork(s, "s"), bundle, Judging.Default),
            Judged(parent, Mk(new ScWait("s"), bundle)),
        ];
    }
}
