using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing;

/// <summary>
/// A supervisor and a notified target. The supervisor (a forked process) sets no_new_privs, installs
/// a listener filter that answers USER_NOTIF on every path for one reserved number, and forks the
/// target, which makes that call and blocks. The supervisor receives it and, while it is pending:
/// lets a thread of the target act (installing a filter too, perhaps with TSYNC onto the blocked
/// thread), or forks a child of its own (or the acting thread does); checks the id, adds a
/// descriptor; then answers with a value, an error, CONTINUE or the added descriptor. Afterwards it
/// may close the listener, once no child holds a copy, and make the call itself: ENOSYS.
/// </summary>
internal sealed partial class ScenarioBuilder
{
    IEnumerable<ScenarioStep>? Notify(ActorContext parent)
    {
        bool window = FlagsLeft >= 3 && _r.Chance(65);
        int bundle = NewBundle();
        var sup = parent.Fork();
        var s = new List<ScenarioStep> { Mk(new ScNnp(), bundle) };
        sup.Nnp = true;
        s.AddRange(Plain(sup, Section.Keeper, _r.Between(0, 3)));

        int nr = Reserve();
        var listener = ProtocolFilter($"notify{nr - ReservedLow}", nr, () => FilterAction.UserNotif);
        var flags = new List<string> { "NEW_LISTENER" };
        if (_t.HasFlag("WAIT_KILLABLE_RECV") && _r.Chance(30)) flags.Add("WAIT_KILLABLE_RECV");
        if (_t.HasFlag("TSYNC") && _t.HasFlag("TSYNC_ESRCH") && _r.Chance(15)) flags.AddRange(["TSYNC", "TSYNC_ESRCH"]);
        if (_t.HasFlag("LOG") && _r.Chance(15)) flags.Add("LOG");
        s.Add(Mk(new ScInstall(listener.Name, flags, "fd"), bundle));
        sup.Attach(listener, listener: true, listenerFd: "fd", tsync: false);
        s.AddRange(CacheRead(sup, ReadAfterInstall));

        // The target: its steps are written in the order they run, the acting thread's turn first.
        var target = sup.Fork();
        sup.OpenChildren++;
        var p = new List<ScenarioStep>(MaybeHandler(target));
        p.AddRange(Plain(target, Section.Prefix, _r.Between(0, 3)));
        int go = 0, done = 0, end = 0;
        bool forkByThread = false;
        if (window)
        {
            (go, done, end) = (NewFlag()!.Value, NewFlag()!.Value, NewFlag()!.Value);
            var t = target.Thread();
            var turn = new List<ScenarioStep> { Mk(new ScWaitFlag(go), bundle, Judging.Default, part: Interleavings.ActWhileStopped) };
            turn.AddRange(Turn(t));
            if (_r.Chance(30))
            {
                forkByThread = true;
                t.OpenChildren++;
                turn.AddRange(Solo(t, depth: 1).Select(x => Mark(x, Interleavings.ForkDuringNotification)));
                t.OpenChildren--;
            }
            turn.Add(Mk(new ScSetFlag(done), bundle, Judging.Default));
            turn.Add(Mk(new ScWaitFlag(end), bundle, Judging.Default));
            p.Add(Mk(new ScThread(turn, "t1"), bundle, Judging.Default));
        }
        p.Add(NewCall(_t.NativeAbi, nr, int80: false, CallRole.Notify, bundle, window ? Interleavings.ActWhileStopped : Interleavings.None) with
            { Note = "the listener gets this call; the supervisor answers it" });
        if (window)
        {
            p.Add(Mk(new ScSetFlag(end), bundle, Judging.Default));
            p.Add(Mk(new ScJoin("t1"), bundle, Judging.Default));
            target.Process.Threads--;
        }
        p.AddRange(Tail(target, _r.Between(0, 4), mayExec: true));
        s.Add(Mk(new ScFork(p, "p"), bundle, Judging.Default));
        bool busy = _r.Chance(20);
        if (busy)
            // A second listener while the first is open: EBUSY, nothing attached.
            s.Add(Mk(new ScInstall(listener.Name, ["NEW_LISTENER"], null)));

        s.Add(Mk(new ScNotifRecv("fd", "id"), bundle));
        if (_r.Chance(40))
            s.Add(Mk(new ScNotifIdValid("fd", "id")));
        if (window)
        {
            s.Add(Mk(new ScSetFlag(go), bundle, Judging.Default, part: Interleavings.ActWhileStopped));
            s.Add(Mk(new ScWaitFlag(done), bundle, Judging.Default));
        }
        if (!forkByThread && _r.Chance(35))
        {
            // The supervisor forks while the notification is pending: the child inherits the listener filter and fd.
            sup.OpenChildren++;
            s.AddRange(Solo(sup, depth: 1).Select(x => Mark(x, Interleavings.ForkDuringNotification)));
            sup.OpenChildren--;
        }
        bool answered = false;
        if (_t.Has("notif_addfd") && _r.Chance(35))
        {
            bool send = _t.Has("notif_addfd_send") && _r.Chance(40);
            bool setfd = _r.Chance(50);
            s.Add(Mk(new ScNotifAddfd("fd", "id", "$fd", setfd ? _r.Between(40, 200) : 0, setfd, send, _r.Chance(40)), send ? bundle : 0));
            answered = send;
        }
        if (!answered)
        {
            var how = _r.Weighted(("val", 40), ("error", 35), ("continue", _t.Has("notif_continue") ? 25 : 0));
            s.Add(Mk(how switch
            {
                "val" => new ScNotifSend("fd", "id", _r.Weighted((0L, 20), (42L, 30), ((long)_r.Next(int.MaxValue), 30), (-1L, 20)), 0, false),
                "error" => new ScNotifSend("fd", "id", 0, _r.Pick(new[] { Errnos.EPERM, Errnos.ESRCH, Errnos.EACCES, Errnos.EBADF, 95 /* EOPNOTSUPP */, Errnos.ENOSYS }), false),
                _ => new ScNotifSend("fd", "id", 0, 0, true),
            }, bundle));
        }
        s.Add(Mk(new ScWait("p"), bundle));
        sup.OpenChildren--;
        if (!busy && _r.Chance(25))
        {
            // Every copy of the listener is gone with the close: the filter's USER_NOTIF fails with ENOSYS.
            int closing = NewBundle();
            s.Add(Mk(new ScClose("fd"), closing));
            sup.Close("fd");
            s.Add(Mk(new ScCall(null, nr, Args(), false, HarmlessCalls.EnosysAllowed), closing,
                note: "the listener is closed and no child holds a copy: ENOSYS"));
        }
        s.AddRange(Tail(sup, _r.Between(0, 3), mayExec: false));
        return
        [
            Mk(new ScFork(s, "s"), bundle, Judging.Default),
            Judged(parent, Mk(new ScWait("s"), bundle)),
        ];
    }

    /// <summary>
    /// A thread's turn while its sibling is stopped: plain steps, often an install (tame, as every
    /// install with a sibling alive is; with TSYNC it reaches the stopped sibling).
    /// </summary>
    List<ScenarioStep> Turn(ActorContext t)
    {
        int n = _r.Between(1, 3), at = _r.Chance(55) ? _r.Next(n + 1) : -1;
        var turn = new List<ScenarioStep>();
        for (int i = 0; i <= n; i++)
        {
            // In the order they run: the calls after the install are chosen knowing its filter.
            if (i == at) turn.Add(Judged(t, RandomInstall(t)));
            if (i < n) turn.AddRange(Plain(t, Section.Turn, 1));
        }
        turn.AddRange(CacheRead(t, ReadAtEnd));
        return turn.Select(x => Mark(x, x is ScInstall ? Interleavings.ActWhileStopped | Interleavings.FilterDuringStop : Interleavings.ActWhileStopped)).ToList();
    }

    static IEnumerable<ScenarioStep> Mark(IEnumerable<ScenarioStep> steps, Interleavings part) => steps.Select(s => Mark(s, part));

    static ScenarioStep Mark(ScenarioStep step, Interleavings part) => step with { Interleaving = step.Interleaving | part };
}
