using Conformance.Model.Kernel;
using Conformance.Catalogue.Cases;
using Conformance.Model.Seccomp;
using Conformance.Model.Task;

namespace Conformance.Catalogue.Judge;

/// <summary>How an actor ended: it ran to its end (exit code), or a step killed it (signal), or only its thread died.</summary>
public sealed record Fate(int? ExitCode, int? Signal, bool ThreadOnly, string Why)
{
    /// <summary>The wait status said the process dumped core (only known for an observed fate).</summary>
    public bool CoreDumped { get; init; }

    /// <summary>
    /// The model cannot say how the actor ends: it died where no death was predicted, after a step
    /// of its process was only observed (a tracer's answer, a supervisor's, a field the model lacks).
    /// </summary>
    public bool IsUnknown { get; init; }

    public static Fate Unknown(string why) => new(null, null, false, why) { IsUnknown = true };

    public static Fate Exit(int code, string why) => new(code, null, false, why);
    public static Fate Killed(int signal, string why) => new(null, signal, false, why);
    public static Fate ThreadDied(string why) => new(null, KernelConstants.SIGSYS, true, why);

    /// <summary>
    /// The wait status this fate gives the process. A main thread that died alone leaves the status
    /// to the kernel's rule (<see cref="GroupExitStatus"/>); its other threads ended with exit(0).
    /// </summary>
    public Matcher AsMatcher(KernelProfile profile)
    {
        if (IsUnknown)
            throw new InvalidOperationException($"an unknown fate has no wait status: {Why}");
        if (ThreadOnly && Signal is { } died)
            return GroupExitStatus.AfterMainThreadDiedAlone(profile, died, 0) is { Signal: { } s2 }
                ? new Matcher { Killed = s2 }
                : new Matcher { Exited = 0 };
        return Signal is { } s ? new Matcher { Killed = s } : new Matcher { Exited = ExitCode ?? 0 };
    }

    public override string ToString() =>
        IsUnknown ? $"ends in a way the model cannot say ({Why})"
        : Signal is { } s ? $"killed by {KernelConstants.SignalName(s)} ({Why})" : $"exits {ExitCode} ({Why})";
}
