using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing;

/// <summary>
/// Threads that take turns: a forked process spawns one to three threads, then hands each its turn
/// with a flag and waits for the flag that ends it, acting itself between turns. Turns may install
/// filters, TSYNC ones included (then the siblings' later steps are observed: the judge cannot see
/// a TSYNC reach another thread), and a thread's very last call may kill that thread alone. Every
/// thread that lives parks on an end flag until all turns are over, so the judge's count of live
/// threads is the kernel's whenever a KILL_THREAD is judged.
/// </summary>
internal sealed partial class ScenarioBuilder
{
    IEnumerable<ScenarioStep>? Threads(ActorContext parent)
    {
        int n = _r.Weighted((1, 40), (2, 40), (3, 20));
        if (FlagsLeft < 2 * n + 1)
            return null;
        int bundle = NewBundle();
        var main = parent.Fork();
        var body = new List<ScenarioStep>(MaybeHandler(main));
        body.AddRange(Plain(main, Section.Prefix, _r.Between(0, 3)));

        var threads = new List<(ActorContext Ctx, int Go, int Done, List<ScenarioStep> Turn, bool DiesAtEnd)>();
        int end = NewFlag()!.Value;
        for (int i = 0; i < n; i++)
            threads.Add((main.Thread(), NewFlag()!.Value, NewFlag()!.Value, [], _r.Chance(20)));

        // Turns in the order they run, so what a TSYNC makes stale is known when later steps are written.
        var mainTurns = new List<List<ScenarioStep>>();
        foreach (var (ctx, _, _, turn, diesAtEnd) in threads)
        {
            turn.AddRange(Plain(ctx, Section.Turn, _r.Between(1, 4)));
            if (diesAtEnd && _t.HasAction(SeccompAction.KillThread) && _r.Chance(60))
            {
                // A filter of its own (no TSYNC) that kills this thread alone on some calls.
                var own = NewFilter(tame: false, only: [FilterAction.KillThread, FilterAction.Errno(_r.Between(1, 133)), FilterAction.Allow]);
                var install = RandomInstall(ctx, own);
                turn.Add(Judged(ctx, install));
            }
            // The thread's own listing, before its turn ends (a later turn's TSYNC may reach it after).
            turn.AddRange(CacheRead(ctx, ReadAtEnd));
            mainTurns.Add(_r.Chance(50) ? Plain(main, Section.Turn, _r.Between(1, 2)) : []);
        }
        for (int i = 0; i < n; i++)
        {
            var (ctx, go, done, turn, diesAtEnd) = threads[i];
            var steps = new List<ScenarioStep> { Mk(new ScWaitFlag(go), bundle, Judging.Default) };
            steps.AddRange(turn);
            steps.Add(Mk(new ScSetFlag(done), bundle, Judging.Default));
            if (diesAtEnd)
                steps.Add(Judged(ctx, Call(ctx, mayKill: true, threadOnly: true, preferLethal: true)));   // may kill this thread only
            else
                steps.Add(Mk(new ScWaitFlag(end), bundle, Judging.Default));
            body.Add(Mk(new ScThread(steps, $"t{i + 1}"), bundle, Judging.Default));
        }
        for (int i = 0; i < n; i++)
        {
            body.Add(Mk(new ScSetFlag(threads[i].Go), bundle, Judging.Default));
            body.Add(Mk(new ScWaitFlag(threads[i].Done), bundle, Judging.Default));
            body.AddRange(mainTurns[i]);
        }
        body.Add(Mk(new ScSetFlag(end), bundle, Judging.Default));
        for (int i = 0; i < n; i++)
        {
            body.Add(Mk(new ScJoin($"t{i + 1}"), bundle, Judging.Default));
            main.Process.Threads--;
        }
        body.AddRange(Tail(main, _r.Between(0, 4), mayExec: true));
        return
        [
            Mk(new ScFork(body, "s"), bundle, Judging.Default),
            Judged(parent, Mk(new ScWait("s"), bundle)),
        ];
    }
}
