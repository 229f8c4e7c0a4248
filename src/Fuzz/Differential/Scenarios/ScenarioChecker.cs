using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing;

/// <summary>
/// The rules that keep a scenario a valid case that cannot hang, checked from the scenario alone
/// (the generator builds by them; the shrinker keeps only candidates that still follow them):
/// <list type="bullet">
/// <item>every `$name` is saved earlier in the actor or an ancestor; every flag waited for is set somewhere; every installed filter exists;</item>
/// <item>no call may block on a listener unless it is the protocol's notified call, and that one certainly notifies;</item>
/// <item>a call that may end its actor (a kill, an unknown action, a TRAP nothing certainly catches, a tracer's kill) is
/// never the case root's; in a thread it may only end that thread and is the thread's last step; in a process
/// the process is single-threaded there and owes nothing afterwards (no flag, fork, wait, protocol step);</item>
/// <item>SIGSYS's disposition changes and exec happen only while the process has one thread.</item>
/// <item>a seccomp_cache read is a thread's own (/proc/thread-self) in a thread, and never after the actor may have dropped CAP_SYS_ADMIN.</item>
/// </list>
/// Every filter an actor installs is assumed attached (unless Linux refuses it or its flags), and a
/// TSYNCed filter is assumed on every thread of the process, so the rules over-approximate.
/// </summary>
public static class ScenarioChecker
{
    public static IReadOnlyList<string> Problems(Scenario scenario) => new Walker(scenario).Run();

    public static bool IsValid(Scenario scenario) => Problems(scenario).Count == 0;

    sealed class Walker(Scenario scenario)
    {
        readonly List<string> _problems = [];
        readonly HashSet<int> _set = [], _waited = [];
        readonly Abi _native = scenario.Arch == "x86_64" ? Abi.X86_64 : Abi.Aarch64;
        readonly Abi _compat = scenario.Arch == "x86_64" ? Abi.I386 : Abi.Arm;

        public IReadOnlyList<string> Run()
        {
            var root = new ActorContext { Abi = _native, Process = new ProcessContext(), IsRoot = true };
            Walk(scenario.Root, root, [], null);
            foreach (var flag in _waited.Except(_set))
                _problems.Add($"flag {flag} is waited for but never set");
            return _problems;
        }

        void Problem(ScenarioStep s, string what) => _problems.Add($"step {s.Id} ({s.Keyword}): {what}");

        void Need(ScenarioStep s, HashSet<string> names, string value)
        {
            var name = value.TrimStart('$');
            if (!names.Contains(name))
                Problem(s, $"${name} is used before it is saved");
        }

        /// <summary>
        /// One actor's steps. <paramref name="tracer"/>: the replies of the trace loop that will trace this
        /// actor, which apply from its `wait_flag` marked as seized (before, TRACE fails with ENOSYS).
        /// </summary>
        void Walk(IReadOnlyList<ScenarioStep> steps, ActorContext ctx, HashSet<string> names, IReadOnlyList<TraceReply>? tracer, bool seized = false)
        {
            for (int i = 0; i < steps.Count; i++)
            {
                var step = steps[i];
                switch (step)
                {
                    case ScCall c:
                        Call(c, steps, i, ctx, seized ? tracer : null);
                        break;
                    case ScNnp:
                        ctx.Nnp = true;
                        break;
                    case ScInstall inst:
                        if (scenario.Filters.FirstOrDefault(f => f.Name == inst.Filter) is not { } filter)
                        {
                            Problem(step, $"no filter {inst.Filter}");
                            break;
                        }
                        bool listener = inst.Flags.Contains("NEW_LISTENER");
                        bool refused = (inst.Flags.Contains("WAIT_KILLABLE_RECV") && !listener)
                            || (inst.Flags.Contains("TSYNC") && listener && !inst.Flags.Contains("TSYNC_ESRCH"))
                            || inst.Fprog is not null
                            || (listener && ctx.Filters.Any(f => f.Listener));   // EBUSY: one listener per chain
                        if (!refused)
                            ctx.Attach(filter, listener, inst.Save, inst.Flags.Contains("TSYNC"));
                        if (inst.Save is { } fd) names.Add(fd);
                        break;
                    case ScDropCaps or ScSetuid:
                        ctx.PrivilegeDropped = true;
                        break;
                    case ScSignal sig:
                        if (ctx.Process.Threads > 1) Problem(step, "SIGSYS's disposition changes while other threads share it");
                        ctx.Handler = sig.Disposition == "handler";
                        break;
                    case ScSigMask m:
                        ctx.Blocked = m.Block;
                        break;
                    case ScFork f:
                    {
                        var traced = steps.Skip(i + 1).OfType<ScTrace>().FirstOrDefault(t => t.Target == f.Save);
                        Walk(f.Steps, ctx.Fork(), [.. names], traced?.Replies);
                        names.Add(f.Save);
                        ctx.OpenChildren++;
                        break;
                    }
                    case ScThread t:
                        Walk(t.Steps, ctx.Thread(), [.. names], null);
                        names.Add(t.Save);
                        break;
                    case ScExec e:
                        if (ctx.Process.Threads > 1) Problem(step, "exec while other threads run");
                        if (i != steps.Count - 1) Problem(step, "steps after an exec never run");
                        ctx.Exec(e.Compat ? _compat : _native);
                        Walk(e.Steps, ctx, names, tracer, seized);
                        break;
                    case ScWait w:
                        Need(step, names, "$" + w.Target);
                        ctx.OpenChildren = Math.Max(0, ctx.OpenChildren - 1);
                        break;
                    case ScJoin j:
                        Need(step, names, "$" + j.Target);
                        ctx.Process.Threads = Math.Max(1, ctx.Process.Threads - 1);
                        break;
                    case ScSetFlag sf:
                        _set.Add(sf.Flag);
                        break;
                    case ScWaitFlag wf:
                        _waited.Add(wf.Flag);
                        seized |= wf.Seized;
                        break;
                    case ScPtrace p:
                        Need(step, names, "$" + p.Pid);
                        break;
                    case ScTrace tr:
                        Need(step, names, "$" + tr.Target);
                        break;
                    case ScNotifRecv r:
                        Need(step, names, "$" + r.Fd);
                        names.Add(r.Save);
                        break;
                    case ScNotifSend ns:
                        Need(step, names, "$" + ns.Fd);
                        Need(step, names, "$" + ns.NotifId);
                        break;
                    case ScNotifAddfd a:
                        Need(step, names, "$" + a.Fd);
                        Need(step, names, "$" + a.NotifId);
                        if (a.SrcFd.StartsWith('$')) Need(step, names, a.SrcFd);
                        break;
                    case ScNotifIdValid v:
                        Need(step, names, "$" + v.Fd);
                        Need(step, names, "$" + v.NotifId);
                        break;
                    case ScClose cl:
                        Need(step, names, "$" + cl.Fd);
                        ctx.Close(cl.Fd);
                        break;
                    case ScCacheRead cr:
                        if (cr.Path is not (ScCacheRead.ProcessFile or ScCacheRead.ThreadFile))
                            Problem(step, $"{cr.Path} is not a seccomp_cache listing the judge knows");
                        else if (ctx.IsThread && cr.Path != ScCacheRead.ThreadFile)
                            Problem(step, $"a thread reads {cr.Path}, the leader's listing: the judge needs {ScCacheRead.ThreadFile}");
                        if (ctx.PrivilegeDropped)
                            Problem(step, "the listing needs CAP_SYS_ADMIN, which the actor may have dropped (EACCES)");
                        break;
                }
            }
        }

        void Call(ScCall c, IReadOnlyList<ScenarioStep> steps, int i, ActorContext ctx, IReadOnlyList<TraceReply>? tracer)
        {
            var abi = c.Compat ? _compat : ctx.Abi;
            if (c.Compat && (ctx.Abi != Abi.X86_64 || scenario.Arch != "x86_64"))
                Problem(c, "int $0x80 only from the native x86_64 image");
            if (c.Role == CallRole.Notify)
            {
                if (!ctx.CertainlyNotifies(abi, c.Nr)) Problem(c, "the notified call may not reach its listener");
                return;
            }
            if (ctx.MayBlock(abi, c.Nr))
                Problem(c, $"call {c.Nr} may block on a listener nobody answers");
            bool kills = ctx.MayKill(abi, c.Nr, out bool processWide);
            // The held call's stop is answered by the tracer's own steps; the recheck after it lets TRACE run the call.
            if (tracer is not null && c.Role != CallRole.HeldStop && ctx.MayTrace(abi, c.Nr))
                foreach (var reply in tracer)
                {
                    if (reply.Kills) kills = processWide = true;
                    if (reply.Redirect is { } to)
                    {
                        int nr = int.TryParse(to, out var n) ? n : HarmlessCalls.Number(abi, to);
                        if (ctx.MayBlock(abi, nr)) Problem(c, $"a tracer's redirect to {to} may block on a listener");
                        if (ctx.MayKill(abi, nr, out var pw)) { kills = true; processWide |= pw; }
                    }
                }
            if (!kills)
                return;
            if (ctx.IsRoot)
                Problem(c, "the case root may die here");
            else if (ctx.IsThread)
            {
                if (processWide) Problem(c, "a thread's call may end its whole process");
                if (i != steps.Count - 1) Problem(c, "a thread may die here with steps left");
            }
            else
            {
                if (ctx.Process.Threads > 1) Problem(c, "the process may die here while other threads run");
                if (steps.Skip(i + 1).Any(Owes)) Problem(c, "the process may die here and still owes steps to others");
            }
        }

        /// <summary>A step someone else depends on (a flag, a child, a protocol answer), which a dead actor never takes.</summary>
        static bool Owes(ScenarioStep s) => s switch
        {
            ScCall c => c.Role != CallRole.Plain,
            ScInstall i => i.Save is not null,
            ScExec e => e.Steps.Any(Owes),
            ScNnp or ScDropCaps or ScSetuid or ScRlimitCore or ScSignal or ScSigMask or ScMark or ScExit or ScCacheRead => false,
            _ => true,
        };
    }
}
