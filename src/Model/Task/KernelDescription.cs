using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;

namespace Conformance.Model.Task;

/// <summary>
/// The kernel a prediction is for: its profile (what its version does) and what it was found to
/// have, which wins over the profile where a probe looked (a distribution kernel may backport a
/// flag or leave out seccomp(2)). Without a probe everything comes from the profile.
/// </summary>
public sealed record KernelDescription
{
    public KernelDescription(KernelProfile profile)
    {
        Profile = profile;
        HasSeccompSyscall = profile.HasSeccompSyscall;
        FilterFlags = profile.FilterFlags;
    }

    public KernelProfile Profile { get; }

    public bool HasSeccompSyscall { get; init; }

    /// <summary>CONFIG_SECCOMP_FILTER: every profile describes a kernel with mode 2; a probe may find none.</summary>
    public bool HasFilterMode { get; init; } = true;

    /// <summary>The filter flags seccomp(2) accepts.</summary>
    public SeccompFilterFlags FilterFlags { get; init; }

    /// <summary>How a task without a preference installs a filter here: seccomp(2) where it exists.</summary>
    public InstallCall PlainInstall => HasSeccompSyscall ? InstallCall.Seccomp : InstallCall.Prctl;
}
