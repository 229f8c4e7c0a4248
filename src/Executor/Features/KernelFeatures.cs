namespace Conformance.Executor.Features;

/// <summary>What the kernel under test was found to have, probed in the guest before the catalogue runs.</summary>
public sealed record KernelFeatures
{
    public required string Release { get; init; }
    public required string Machine { get; init; }

    /// <summary>prctl(PR_SET_SECCOMP, 2, NULL)'s errno: EFAULT when mode 2 exists, EINVAL when it does not.</summary>
    public required int PrctlNullErrno { get; init; }

    /// <summary>seccomp(SECCOMP_SET_MODE_FILTER, 0, NULL)'s errno (EFAULT: the syscall exists; ENOSYS: it does not).</summary>
    public required int SeccompNullErrno { get; init; }

    public required IReadOnlySet<string> Present { get; init; }

    /// <summary>Actions the kernel reports available (GET_ACTION_AVAIL, else the sysctl).</summary>
    public IReadOnlyList<string> ActionsAvail { get; init; } = [];

    /// <summary>Filter flags the kernel knows (probed with NULL arguments).</summary>
    public IReadOnlyList<string> FilterFlags { get; init; } = [];

    /// <summary>/proc/sys/kernel/cap_last_cap: the highest capability number (drop_caps needs it).</summary>
    public int CapLastCap { get; init; } = 40;

    /// <summary>The effective capabilities a case root starts with (CapEff), when the probe could read them.</summary>
    public ulong? CapEffective { get; init; }

    /// <summary>Raw answers of the probe, for the report.</summary>
    public IReadOnlyDictionary<string, string> Facts { get; init; } = new Dictionary<string, string>();

    /// <summary>Every feature decided by more than one witness, with what each witness saw.</summary>
    public IReadOnlyList<FeatureWitnesses> Witnessed { get; init; } = [];

    /// <summary>Witnesses that contradict each other: each is a failed detection, and its feature counts as present.</summary>
    public IReadOnlyList<WitnessDisagreement> Disagreements => Witnessed.Select(w => w.Disagreement).OfType<WitnessDisagreement>().ToList();

    /// <summary>
    /// These features with one more witness of <paramref name="feature"/> (one the guest cannot give,
    /// such as the kernel config the host knows). A witness can only make a feature present: any sighting wins.
    /// </summary>
    public KernelFeatures WithWitness(string feature, Witness witness)
    {
        var current = Witnessed.FirstOrDefault(w => w.Feature == feature) ?? new FeatureWitnesses(feature, []);
        var updated = current.With(witness);
        var present = new HashSet<string>(Present);
        if (updated.Present) present.Add(feature);
        return this with
        {
            Witnessed = [.. Witnessed.Where(w => w.Feature != feature), updated],
            Present = present,
        };
    }

    public bool Has(string feature) => Present.Contains(feature);

    public bool Mode2 => Has("filter");
}
