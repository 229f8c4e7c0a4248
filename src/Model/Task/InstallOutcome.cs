using Conformance.Model.Seccomp;

namespace Conformance.Model.Task;

/// <summary>What an install returns when the kernel accepts it, or that it refuses.</summary>
public enum InstallResult
{
    /// <summary>Attached; the call returns 0.</summary>
    ReturnsZero,
    /// <summary>Attached; the call returns the new listener fd (&gt;= 0).</summary>
    ReturnsListenerFd,
    /// <summary>
    /// TSYNC with other live threads: 0 when every thread can take the filter, else the id of one
    /// that cannot (nothing attached), or ESRCH with TSYNC_ESRCH — it depends on their filters.
    /// </summary>
    DependsOnOtherThreads,
    Refused,
}

/// <summary>
/// The model's answer to an install request: the result, the errno of a refusal and the rule
/// that decided it. <see cref="Reason"/> is for people only: decide on the typed fields.
/// </summary>
public sealed record InstallOutcome(InstallResult Result, int Errno, InstallRule Rule, string Reason)
{
    public bool Accepted => Result != InstallResult.Refused;

    /// <summary>For <see cref="InstallRule.Checker"/> and <see cref="InstallRule.PathLimit"/>: the checker's rule and instruction.</summary>
    public CheckResult Check { get; init; } = CheckResult.Ok;

    /// <summary>The prepared filter, once the kernel got as far as checking it (what an accepted install attaches).</summary>
    public LoadedFilter? Filter { get; init; }

    public static InstallOutcome Refuse(int errno, InstallRule rule, string reason) => new(InstallResult.Refused, errno, rule, reason);

    public override string ToString() => Accepted ? $"{Result}: {Reason}" : $"{Errnos.Name(Errno)} ({Rule}): {Reason}";
}
