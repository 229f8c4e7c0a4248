namespace Conformance.Executor.Features;

/// <summary>
/// The kernel config as a witness of filter mode: the host knows it for Debian's and built kernels
/// (never for --host), and it must agree with what the guest saw.
/// </summary>
public static class ConfigWitness
{
    public const string Name = "kernel config CONFIG_SECCOMP_FILTER";

    /// <summary><paramref name="config"/> maps option names without CONFIG_ to y, m, n or absent; an empty map adds nothing.</summary>
    public static KernelFeatures Apply(KernelFeatures features, IReadOnlyDictionary<string, string> config) =>
        config.TryGetValue("SECCOMP_FILTER", out var state)
            ? features.WithWitness("filter", new Witness(Name, state is "y" ? Sighting.Present : Sighting.Absent, state))
            : features;
}
