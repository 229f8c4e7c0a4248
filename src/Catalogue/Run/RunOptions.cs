namespace Conformance.Catalogue.Run;

public sealed record RunOptions
{
    /// <summary>Features that must be present: a case needing one that is absent fails instead of skipping (backport validation).</summary>
    public IReadOnlySet<string> ExpectFeatures { get; init; } = new HashSet<string>();

    /// <summary>How many times a crashed or hung machine is restarted before the remaining cases are given up as errors.</summary>
    public int MaxRestarts { get; init; } = 5;

    /// <summary>Kernel config facts to attach to the report (from the kernel store), when known.</summary>
    public IReadOnlyDictionary<string, string> KernelConfig { get; init; } = new Dictionary<string, string>();

    public string Backend { get; init; } = "qemu";

    /// <summary>Guests for this kernel at once, each running a share of the cases (`run --jobs`).</summary>
    public int Jobs { get; init; } = 1;
}
