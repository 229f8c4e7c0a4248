using Conformance.Model.Bpf;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>
/// Where the next stack comes from: newly generated (mostly valid, <see cref="InvalidPercent"/> of
/// the bodies broken for the checker), or a corpus entry mutated: a constant or action swapped, a
/// body replaced, spliced in from another entry, a filter added or dropped.
/// </summary>
public sealed class StackSource(ConstantPool pool, IReadOnlyList<FilterStack> corpus)
{
    readonly FilterGenerator _generator = new(pool);
    readonly List<FilterStack> _corpus = [.. corpus];

    /// <summary>The share of generated bodies broken on purpose.</summary>
    public int InvalidPercent { get; set; } = 10;

    public int CorpusSize => _corpus.Count;

    public void Remember(FilterStack stack) => _corpus.Add(stack);

    public FilterStack Next(FuzzRandom rng)
    {
        if (_corpus.Count > 0 && rng.Chance(40))
            return Mutate(rng, rng.Pick(_corpus));
        int filters = 1 + (rng.Chance(60) ? 0 : rng.Pick(FilterStack.MaxFilters));
        return new FilterStack([.. Enumerable.Range(0, filters).Select(_ => NewBody(rng))]);
    }

    Instruction[] NewBody(FuzzRandom rng)
    {
        int size = rng.Chance(80) ? 1 + rng.Pick(12) : 1 + rng.Pick(80);
        var body = _generator.Body(rng, size);
        return rng.Chance(InvalidPercent) ? InvalidMutator.Break(rng, body) : body;
    }

    FilterStack Mutate(FuzzRandom rng, FilterStack stack)
    {
        var bodies = stack.Bodies.Select(b => (Instruction[])b.Clone()).ToList();
        int which = rng.Pick(bodies.Count);
        switch (rng.Pick(6))
        {
            case 0:
                bodies[which] = NewBody(rng);
                break;
            case 1 when bodies.Count < FilterStack.MaxFilters:
                bodies.Insert(rng.Pick(bodies.Count + 1), NewBody(rng));
                break;
            case 2 when bodies.Count > 1:
                bodies.RemoveAt(which);
                break;
            case 3 when _corpus.Count > 1:
                var other = rng.Pick(_corpus);
                bodies[which] = (Instruction[])rng.Pick(other.Bodies).Clone();
                break;
            case 4:
            {
                var body = bodies[which];
                int at = rng.Pick(body.Length);
                body[at] = Op.ClassOf(body[at].Code) == Op.RET && body[at].Code == (Op.RET | Op.K)
                    ? body[at] with { K = rng.Pick(pool.Actions) }
                    : body[at] with { K = rng.Chance(80) ? rng.Pick(pool.Words) : (uint)rng.NextU64() };
                break;
            }
            default:
            {
                var body = bodies[which];
                int at = rng.Pick(body.Length);
                if (Op.ClassOf(body[at].Code) == Op.JMP && Op.OpOf(body[at].Code) != Op.JA)
                    body[at] = body[at] with { Jt = body[at].Jf, Jf = body[at].Jt };
                else
                    bodies[which] = NewBody(rng);
                break;
            }
        }
        return new FilterStack(bodies);
    }
}
