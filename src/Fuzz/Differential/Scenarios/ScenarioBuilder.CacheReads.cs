namespace Conformance.Fuzzing;

/// <summary>
/// Where the kernel has CONFIG_SECCOMP_CACHE_DEBUG (feature `cache_debug`), actors read their own
/// seccomp_cache listing after an install and at their end, and the judge holds it against the
/// model's action cache for the chain it followed (`expect: {cache: model}`): random filter stacks,
/// inherited across fork, thread and exec, and TSYNCed by the reader itself. The reads draw from a
/// stream of their own and change no actor's state, so a seed gives the same scenario with and
/// without the feature, apart from the reads.
/// </summary>
internal sealed partial class ScenarioBuilder
{
    /// <summary>The reads' own draws (never the main stream's).</summary>
    ScenarioRandom _readDraws = null!;

    int _cacheReads;

    /// <summary>Each read claims 32 KiB of the agent's observation log while it reads: a few per case.</summary>
    const int MaxCacheReads = 6;

    /// <summary>Percent of installs followed by a read, and of actors that read once more at their end.</summary>
    const int ReadAfterInstall = 35, ReadAtEnd = 60;

    /// <summary>
    /// A read of the actor's own listing, maybe (with this chance), where the judge can hold it against
    /// the model: the kernel has the file and the case runs as root; the actor may have a filter (the
    /// listing of a task without one is empty, which cases/cache already holds); it kept CAP_SYS_ADMIN
    /// (EACCES otherwise); and no sibling thread may have TSYNCed a filter onto it, which the judge,
    /// walking each thread from its creation, cannot follow. `expect: {cache: model}` has no observed
    /// fallback: where the model cannot say, the case errs.
    /// </summary>
    IEnumerable<ScenarioStep> CacheRead(ActorContext ctx, int percent)
    {
        if (!_t.Has("cache_debug") || !_t.Has("root") || _cacheReads >= MaxCacheReads)
            return [];
        if (!ctx.Filters.Any() || ctx.PrivilegeDropped || Stale(ctx) || !_readDraws.Chance(percent))
            return [];
        _cacheReads++;
        // /proc/self is the thread group leader's listing: a thread reads its own; a process's main
        // thread is its leader and may read either.
        var path = ctx.IsThread || _readDraws.Chance(50) ? ScCacheRead.ThreadFile : ScCacheRead.ProcessFile;
        return [Mk(new ScCacheRead(path))];
    }
}
