using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using Conformance.Model.Task;

namespace Conformance.Executor.Features;

/// <summary>The kernel the model predicts for: the profile's defaults, overridden where the probe looked.</summary>
public static class KernelDescriptions
{
    public static KernelDescription Of(KernelFeatures features, KernelProfile profile) => new(profile)
    {
        HasSeccompSyscall = features.SeccompNullErrno != Errnos.ENOSYS,
        HasFilterMode = features.Mode2,
        FilterFlags = features.FilterFlags.Aggregate(SeccompFilterFlags.None,
            (all, name) => KernelConstants.FilterFlags.TryGetValue(name, out var bit) ? all | (SeccompFilterFlags)bit : all),
    };
}
