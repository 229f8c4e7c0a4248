namespace Conformance.Fuzzing;

/// <summary>The three interleavings the generator makes on purpose (never left to chance).</summary>
[Flags]
public enum Interleavings
{
    None = 0,
    /// <summary>A thread acts while a sibling is stopped: in a ptrace stop or waiting on a notification.</summary>
    ActWhileStopped = 1,
    /// <summary>A filter is attached (by a sibling, with or without TSYNC) while a thread is stopped.</summary>
    FilterDuringStop = 2,
    /// <summary>A process forks while a notification is pending (the supervisor, or the target's sibling).</summary>
    ForkDuringNotification = 4,
}

/// <summary>
/// A generated multi-actor case program, before it is YAML: the filters and the case root's steps
/// (fork, thread and exec steps hold their actors' steps). <see cref="ScenarioYaml"/> renders it to
/// a catalogue case; <see cref="ScenarioShrinker"/> drops pieces of it for a minimizer.
/// </summary>
public sealed record Scenario(string Arch, ulong Seed, IReadOnlyList<FilterSpec> Filters, IReadOnlyList<ScenarioStep> Root)
{
    /// <summary>The deliberate interleavings it contains (a shrunk scenario keeps those whose steps it kept).</summary>
    public Interleavings Interleavings => Steps().Aggregate(Interleavings.None, (all, s) => all | s.Interleaving);

    /// <summary>Every step, depth first in program order (a spawning step before its actor's steps).</summary>
    public IEnumerable<ScenarioStep> Steps() => Walk(Root);

    public static IEnumerable<ScenarioStep> Walk(IEnumerable<ScenarioStep> steps)
    {
        foreach (var s in steps)
        {
            yield return s;
            foreach (var inner in Walk(s.Body))
                yield return inner;
        }
    }

    public FilterSpec Filter(string name) => Filters.First(f => f.Name == name);

    /// <summary>The step kinds (catalogue keywords) it uses.</summary>
    public IReadOnlySet<string> Keywords => Steps().Select(s => s.Keyword).ToHashSet(StringComparer.Ordinal);
}

/// <summary>How the generated case asks the judge about a step.</summary>
public enum Judging
{
    /// <summary>`expect: [model, observe]`: the model's answer, or observed where it cannot say.</summary>
    Model,
    /// <summary>`expect: observe`: the judge cannot follow what happened to the actor (the note says why).</summary>
    Observe,
    /// <summary>No `expect:`: the kind's own default check (signal, block, join, wait_flag) or nothing to judge.</summary>
    Default,
}
