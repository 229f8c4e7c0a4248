namespace Conformance.Fuzzing;

/// <summary>
/// Smaller versions of a scenario for a minimizer, biggest cuts first: a seccomp_cache read with
/// only the installs behind its actor's chain, made by the case root; drop a bundle (a whole
/// episode, a thread and its join and flags, a protocol's steps together), drop one free step (a
/// seccomp_cache read among them: a finding about the cache keeps the read that fails, since a
/// candidate must still fail at the same kind of step), drop a filter that only free steps install
/// (with those installs), drop a filter's detours (all, then one by one), drop one rule of a filter,
/// replace a rule's decision tree by one of its leaves or one of its subtrees. Filters are shrunk as structure (rules and trees, the
/// rendered jumps retargeted by rendering again), never instruction by instruction, so a shrunk
/// filter is as valid for Linux's checker as the original; a filter with a protocol role (pinned)
/// keeps its rules. Every candidate still follows <see cref="ScenarioChecker"/>'s rules, so it
/// parses, compiles and cannot hang; candidates that would not are not offered.
/// </summary>
public static class ScenarioShrinker
{
    public static IEnumerable<Scenario> Shrink(Scenario scenario)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var candidate in Candidates(scenario))
        {
            var pruned = WithoutUnusedFilters(candidate);
            // A case needs a step; and a candidate is only worth offering once.
            if (pruned.Root.Count == 0 || !seen.Add(Fingerprint(pruned)) || Fingerprint(pruned) == Fingerprint(scenario))
                continue;
            if (ScenarioChecker.IsValid(pruned))
                yield return pruned;
        }
    }

    static IEnumerable<Scenario> Candidates(Scenario s)
    {
        foreach (var alone in ReadsAlone(s))
            yield return alone;
        var steps = s.Steps().ToList();
        // Bundles, the one whose steps come first (the outermost: an episode) first.
        foreach (var bundle in steps.Where(x => x.Bundle != 0).Select(x => x.Bundle).Distinct())
            yield return Without(s, steps.Where(x => x.Bundle == bundle).Select(x => x.Id));
        foreach (var step in steps.Where(x => x.Bundle == 0))
            yield return Without(s, [step.Id]);
        foreach (var filter in s.Filters)
        {
            var installs = steps.OfType<ScInstall>().Where(i => i.Filter == filter.Name).ToList();
            if (installs.Count > 0 && installs.All(i => i.Bundle == 0))
                yield return Without(s, installs.Select(i => i.Id));
        }
        // Detours change no verdict, so a protocol's filter loses them too.
        foreach (var filter in s.Filters.Where(f => f.Detours.Count > 0))
        {
            if (filter.Detours.Count > 1)
                yield return Replace(s, filter with { Detours = [] });
            for (int d = 0; d < filter.Detours.Count; d++)
                yield return Replace(s, filter with { Detours = filter.Detours.Where((_, i) => i != d).ToList() });
        }
        foreach (var filter in s.Filters.Where(f => !f.Pinned))
        {
            for (int r = 0; r < filter.Rules.Count; r++)
                yield return Replace(s, filter with { Rules = filter.Rules.Where((_, i) => i != r).ToList() });
            for (int r = 0; r < filter.Rules.Count; r++)
                if (filter.Rules[r].Body is FilterTest)
                    foreach (var leaf in filter.Rules[r].Body.Leaves.Distinct())
                    {
                        var rules = filter.Rules.ToList();
                        rules[r] = rules[r] with { Body = new FilterLeaf(leaf) };
                        yield return Replace(s, filter with { Rules = rules });
                    }
            for (int r = 0; r < filter.Rules.Count; r++)
                foreach (var subtree in Subtrees(filter.Rules[r].Body))
                {
                    var rules = filter.Rules.ToList();
                    rules[r] = rules[r] with { Body = subtree };
                    yield return Replace(s, filter with { Rules = rules });
                }
            if (filter.Flaw is not null)
                yield return Replace(s, filter with { Flaw = null });
        }
    }

    /// <summary>
    /// The scenario without these steps, closed over bundles: a step goes with the steps nested in it,
    /// and a bundle that loses any step loses them all.
    /// </summary>
    public static Scenario Without(Scenario s, IEnumerable<int> ids)
    {
        var all = s.Steps().ToList();
        var removed = new HashSet<int>(ids);
        while (true)
        {
            int before = removed.Count;
            foreach (var step in all.Where(x => removed.Contains(x.Id)))
                foreach (var inner in Scenario.Walk(step.Body))
                    removed.Add(inner.Id);
            var bundles = all.Where(x => removed.Contains(x.Id) && x.Bundle != 0).Select(x => x.Bundle).ToHashSet();
            foreach (var step in all.Where(x => bundles.Contains(x.Bundle)))
                removed.Add(step.Id);
            if (removed.Count == before)
                break;
        }
        return s with { Root = Filter(s.Root, removed) };
    }

    static IReadOnlyList<ScenarioStep> Filter(IReadOnlyList<ScenarioStep> steps, HashSet<int> removed) =>
        steps.Where(x => !removed.Contains(x.Id)).Select(x => x.Body.Count > 0 ? x.WithBody(Filter(x.Body, removed)) : x).ToList();

    /// <summary>
    /// Each seccomp_cache read with only the installs that built its actor's chain (its ancestors'
    /// before they spawned it, then its own), made by the case root in the same order with the same
    /// flags: what the listing shows depends on nothing else, and a read deep in a protocol's bundle,
    /// which the other cuts must keep whole, comes out in one step. Every step can then go alone.
    /// </summary>
    static IEnumerable<Scenario> ReadsAlone(Scenario s)
    {
        var found = new List<(ScCacheRead Read, List<ScInstall> Chain)>();
        void Walk(IEnumerable<ScenarioStep> steps, List<ScInstall> chain)
        {
            foreach (var step in steps)
            {
                if (step is ScInstall install)
                    chain.Add(install);
                else if (step is ScCacheRead read)
                    found.Add((read, [.. chain]));
                // A child or thread starts with the chain so far; an exec'd image keeps it.
                if (step.Body.Count > 0)
                    Walk(step.Body, [.. chain]);
            }
        }
        Walk(s.Root, []);
        foreach (var (read, chain) in found)
        {
            var root = chain.Cast<ScenarioStep>().Append(read)
                .Select(x => x with { Bundle = 0, Interleaving = Interleavings.None })
                .ToList();
            yield return s with { Root = root };
        }
    }

    /// <summary>The subtrees a body can be cut down to (its leaves aside): a test's branches, what a `ja` skips to.</summary>
    static IEnumerable<FilterNode> Subtrees(FilterNode body) => body switch
    {
        FilterTest t => new[] { t.True, t.False }.Where(n => n is not FilterLeaf),
        FilterSkip k => [k.Next],
        _ => [],
    };

    static Scenario Replace(Scenario s, FilterSpec filter) =>
        s with { Filters = s.Filters.Select(f => f.Name == filter.Name ? filter : f).ToList() };

    static Scenario WithoutUnusedFilters(Scenario s)
    {
        var used = s.Steps().OfType<ScInstall>().Select(i => i.Filter).ToHashSet(StringComparer.Ordinal);
        return s with { Filters = s.Filters.Where(f => used.Contains(f.Name)).ToList() };
    }

    /// <summary>What tells two scenarios apart: their YAML.</summary>
    static string Fingerprint(Scenario s) => ScenarioYaml.ToYaml(s, "fingerprint");
}
