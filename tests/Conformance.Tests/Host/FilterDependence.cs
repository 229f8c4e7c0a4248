using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Machines.Protocol;

namespace Conformance.Tests.Host;

/// <summary>Whether a case's verdict can depend on a filter being attached, from one run of it.</summary>
public enum FilterDependence
{
    /// <summary>An install the kernel accepted: what follows may be decided by the filter.</summary>
    DependsOnFilter,
    /// <summary>No step installs a filter (strict mode, no_new_privs, what the kernel offers).</summary>
    InstallsNoFilter,
    /// <summary>
    /// Every install was refused by the kernel's install-time checks, which run whether or not a
    /// filter is ever attached: the case checks those checks only.
    /// </summary>
    NoInstallAccepted,
}

public static class FilterDependenceOf
{
    /// <summary>
    /// The dependence of a compiled case, given what its install steps returned. A kernel that
    /// accepts an install (0 or a listener fd) would attach the filter there; under the pretend
    /// agent it is the kernel's checks that answer, so the answer is the real kernel's.
    /// </summary>
    public static FilterDependence Of(CompiledCase compiled, CaseResult result)
    {
        var installs = compiled.Steps.Values.Where(s => IsInstall(s.Made ?? s.Step)).Select(s => s.Id).ToHashSet();
        if (installs.Count == 0)
            return FilterDependence.InstallsNoFilter;
        return result.Observations.OfType<SyscallObservation>().Any(o => installs.Contains(o.StepId) && o.Ret >= 0)
            ? FilterDependence.DependsOnFilter
            : FilterDependence.NoInstallAccepted;
    }

    static bool IsInstall(Step step) => step is CallStep call && (call.Effect is InstallInfo || IsRawInstall(call));

    /// <summary>A `call:` that makes the install by hand: seccomp(SECCOMP_SET_MODE_FILTER) or prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER).</summary>
    static bool IsRawInstall(CallStep call) =>
        call.Args.Count >= 2 && call.Args[0] is IntValue op && (call.Name, op.Value, call.Args[1]) switch
        {
            ("seccomp", 1, _) => true,
            ("prctl", 22, IntValue { Value: 2 }) => true,
            _ => false,
        };
}
