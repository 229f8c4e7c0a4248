using Conformance.Model.Kernel;
using Conformance.Catalogue.Cases;

namespace Conformance.Catalogue.Judge;

/// <summary>How an actor ended: it ran to its end (exit code), or a step killed it (signal), or only its thread died.</summary>
public sealed record Fate(int? ExitCode, int? Signal, bool ThreadOnly, string Why)
{
    public static Fate Exit(int code, string why) => new(code, null, false, why);
    public static Fate Killed(int signal, string why) => new(null, signal, false, why);
    public static Fate ThreadDied(string why) => new(null, KernelConstants.SIGSYS, true, why);

    public Matcher AsMatcher() => Signal is { } s && !ThreadOnly ? new Matcher { Killed = s } : new Matcher { Exited = ExitCode ?? 0 };

    public override string ToString() => Signal is { } s ? $"killed by {KernelConstants.SignalName(s)} ({Why})" : $"exits {ExitCode} ({Why})";
}
