namespace Conformance.Catalogue.Judge;

/// <summary>How a seccomp_cache listing departs from the model's action cache (none: it matched, or it was no listing).</summary>
[Flags]
public enum CacheDeparture
{
    None = 0,
    /// <summary>The kernel caches numbers the model does not.</summary>
    KernelCachesMore = 1,
    /// <summary>The model caches numbers the kernel does not.</summary>
    ModelCachesMore = 2,
}
