using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing;

/// <summary>
/// A tracer and its tracee. The tracee (forked by the tracer) installs filters that often answer
/// TRACE, signals that it is ready and waits; the tracer seizes it with TRACESECCOMP, lets it go and
/// runs the trace loop until it ends, answering its seccomp stops in order: continue, a changed
/// number (a harmless call), a skipped call with a value or an error, a changed argument, detach or
/// kill. What a traced call returns is the tracer's doing (observed); the calls the filters let run
/// or deny are judged as usual.
/// </summary>
internal sealed partial class ScenarioBuilder
{
    IEnumerable<ScenarioStep>? TraceLoop(ActorContext parent)
    {
        if (FlagsLeft < 2)
            return null;
        int bundle = NewBundle();
        var tracer = parent.Fork();
        var s = new List<ScenarioStep>();
        s.AddRange(Plain(tracer, Section.Keeper, _r.Between(0, 2)));
        int ready = NewFlag()!.Value, go = NewFlag()!.Value;

        var tracee = tracer.Fork();
        var p = new List<ScenarioStep>(MaybeHandler(tracee));
        if (_r.Chance(70)) p.Add(Nnp(tracee));
        p.AddRange(Plain(tracee, Section.Prefix, _r.Between(0, 2)));
        var traceFilter = NewFilter(tame: false, traceHeavy: true);
        p.Add(Mk(new ScInstall(traceFilter.Name, [], null)));
        tracee.Attach(traceFilter, listener: false, listenerFd: null, tsync: false);
        p.AddRange(CacheRead(tracee, ReadAfterInstall));
        p.AddRange(Plain(tracee, Section.Prefix, _r.Between(0, 2)));
        p.Add(Mk(new ScSetFlag(ready), bundle, Judging.Default));
        p.Add(Mk(new ScWaitFlag(go) { Seized = true }, bundle, Judging.Default));
        // Seized from here on: every call may stop, and the tracer may kill at any stop, so this is the tail.
        p.AddRange(Tail(tracee, _r.Between(2, 6), mayExec: false));

        s.Add(Mk(new ScFork(p, "p"), bundle, Judging.Default));
        s.Add(Mk(new ScWaitFlag(ready), bundle, Judging.Default));
        s.Add(Mk(new ScPtrace("SEIZE", "p", SeizeOptions()), bundle));
        s.Add(Mk(new ScSetFlag(go), bundle, Judging.Default));
        var replies = Replies(tracee.Abi, _r.Between(0, 4));
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

    IReadOnlyList<string> SeizeOptions()
    {
        var options = new List<string> { "TRACESECCOMP" };
        if (_r.Chance(30)) options.Add("TRACESYSGOOD");
        if (_r.Chance(40)) options.Add("EXITKILL");
        return options;
    }

    /// <summary>The tracer's answers to the seccomp stops, in order (none left: continue).</summary>
    List<TraceReply> Replies(Abi abi, int count)
    {
        var replies = new List<TraceReply>();
        for (int i = 0; i < count; i++)
        {
            var then = _r.Weighted(("continue", 80), ("detach", 8), ("kill", 12));
            var reply = _r.Weighted(("plain", 25), ("redirect", 25), ("skip", 25), ("set_arg", 25)) switch
            {
                "redirect" => new TraceReply(RedirectTarget(abi), null, null, then),
                "skip" => new TraceReply(null, _r.Pick(new long[] { 0, 45000, -1, -3, -13, -38, -4095, -4096 }), null, then),
                "set_arg" => new TraceReply(null, null, (_r.Next(6), (long)_r.Pick(_values)), then),
                _ => new TraceReply(null, null, null, then),
            };
            replies.Add(reply);
            if (then != "continue")
                break;   // the loop ends at a detach; after a kill there is nothing left to answer
        }
        return replies;
    }

    /// <summary>What a traced call becomes: a harmless call or an unimplemented number (the filters then run again on it).</summary>
    string RedirectTarget(Abi abi) => _r.Chance(70)
        ? _r.Pick(HarmlessCalls.Named).Name
        : (_r.Chance(50) ? _r.Pick(_pool[abi].Where(HarmlessCalls.IsUnimplemented).DefaultIfEmpty(FreeNumber()).ToList()) : FreeNumber()).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
