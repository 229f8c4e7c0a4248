namespace Conformance.Fuzzing;

/// <summary>
/// Smaller versions of a scenario for a minimizer, biggest cuts first: drop a bundle (a whole
/// episode, a thread and its join and flags, a protocol's steps together), drop one free step, drop
/// a filter that only free steps install (with those installs), drop one rule of a filter, replace a
/// rule's decision tree by one of its leaves. Filters are shrunk as structure (rules and trees, the
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
