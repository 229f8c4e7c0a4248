using Conformance.Fuzzing.Verdicts;
using Conformance.Machines.Protocol;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing.Minimize;

/// <summary>
/// Shrinks a confirmed discrepancy while the kernel keeps showing it: filters dropped, each body
/// shrunk (<see cref="FilterShrinker"/>), arguments zeroed, the call site moved to the agent's own.
/// Each round sends every candidate of the current state as one FUZZ case (one stack each, the one
/// input listed) and keeps the first, in order, that still departs from the model with the same
/// signature; it stops when no candidate does. Every filter of every candidate gets the checker's
/// verdict its original had, so the kernel is never shown a program of another kind.
/// </summary>
public sealed class VerdictMinimizer(FuzzArch arch, KernelProfile profile, VerdictDriver driver, VerdictComparer comparer)
{
    const int Chunk = 48;
    public int MaxRounds { get; init; } = 400;

    public sealed record State(FilterStack Stack, FuzzInput Input);

    public async Task<(State Final, List<string> Log)> MinimizeAsync(State start, Discrepancy discrepancy, CancellationToken cancellationToken)
    {
        var log = new List<string> { $"start: {Describe(start)}" };
        var accepted = start.Stack.Bodies.Select(b => Accepts(b)).ToArray();
        var current = start;
        for (int round = 0; round < MaxRounds; round++)
        {
            var candidates = Candidates(current, accepted).ToList();
            State? next = null;
            string? what = null;
            for (int at = 0; at < candidates.Count && next is null; at += Chunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var chunk = candidates.Skip(at).Take(Chunk).ToList();
                var result = await driver.RunAsync([.. chunk.Select(c => StackRun.Listed(c.State.Stack, [c.State.Input]))], detail: true, cancellationToken);
                if (result.Setup is null)
                    break;
                for (int i = 0; i < chunk.Count; i++)
                {
                    var d = comparer.Compare(result.Outcomes[i], result.Setup, result.ArgPool);
                    if (d?.Signature == discrepancy.Signature)
                    {
                        (next, what) = (chunk[i].State, chunk[i].What);
                        break;
                    }
                }
            }
            if (next is null)
                break;
            current = next;
            accepted = current.Stack.Bodies.Select(b => Accepts(b)).ToArray();
            log.Add($"{what}: {Describe(current)}");
        }
        return (current, log);
    }

    bool Accepts(Instruction[] body) => FilterChecker.Check(FilterPrefix.Apply(arch, body), profile).Accepted;

    IEnumerable<(State State, string What)> Candidates(State s, bool[] accepted)
    {
        var bodies = s.Stack.Bodies;
        if (bodies.Count > 1)
            for (int i = 0; i < bodies.Count; i++)
                yield return (s with { Stack = new FilterStack([.. bodies.Where((_, j) => j != i)]) }, $"dropped filter #{i}");
        for (int i = 0; i < bodies.Count; i++)
        {
            bool want = accepted[i];
            foreach (var body in FilterShrinker.Candidates(bodies[i], b => Accepts(b) == want))
            {
                var copy = bodies.ToArray();
                copy[i] = body;
                yield return (s with { Stack = new FilterStack(copy) }, $"shrunk filter #{i}");
            }
        }
        for (int a = 0; a < s.Input.Args.Count; a++)
        {
            if (s.Input.Args[a] == 0) continue;
            var args = s.Input.Args.ToArray();
            args[a] = 0;
            yield return (s with { Input = new FuzzInput(s.Input.Index, s.Input.Nr, args, s.Input.Slot) }, $"args[{a}] = 0");
        }
        if (s.Input.Slot != 0)
            yield return (s with { Input = s.Input with { Slot = 0 } }, "call site 0");
    }

    static string Describe(State s) =>
        $"{s.Stack.Bodies.Count} filter(s) of {string.Join("+", s.Stack.Bodies.Select(b => b.Length))} instructions, nr {s.Input.Nr}, args [{string.Join(", ", s.Input.Args.Select(a => $"0x{a:x}"))}], call site {s.Input.Slot}";
}
