namespace Conformance.Fuzzing;

/// <summary>
/// The lone process: a forked child with random steps, perhaps children of its own (forked, waited
/// for, each with a life of its own), then a tail that may end it or exec the agent or the 32-bit
/// helper. Its parent waits for it and asks the model how it ended.
/// </summary>
internal sealed partial class ScenarioBuilder
{
    IEnumerable<ScenarioStep>? Solo(ActorContext parent) => Solo(parent, depth: 0);

    IEnumerable<ScenarioStep> Solo(ActorContext parent, int depth)
    {
        int bundle = NewBundle();
        var ctx = parent.Fork();
        var body = new List<ScenarioStep>(MaybeHandler(ctx));
        body.AddRange(Plain(ctx, Section.Prefix, _r.Between(0, 4)));
        if (depth < 2 && _r.Chance(depth == 0 ? 35 : 15))
        {
            var children = _r.Between(1, 2);
            for (int i = 0; i < children; i++)
            {
                ctx.OpenChildren++;
                body.AddRange(Solo(ctx, depth + 1));
                ctx.OpenChildren--;
                body.AddRange(Plain(ctx, Section.Prefix, _r.Between(0, 2)));
            }
        }
        body.AddRange(Tail(ctx, _r.Between(1, 5), mayExec: true));
        var save = depth == 0 ? "s" : $"g{depth}";
        return
        [
            Mk(new ScFork(body, save), bundle, judge: Judging.Default),
            Judged(parent, Mk(new ScWait(save), bundle)),
        ];
    }
}
