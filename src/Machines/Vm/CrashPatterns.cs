using Conformance.Machines;

namespace Conformance.Machines.Vm;

/// <summary>
/// The console lines that mean the kernel is in trouble (the prefixes the kernel prints at the
/// start of an oops, BUG, WARN or panic report; syzkaller looks for the same), most severe first.
/// </summary>
public static class CrashPatterns
{
    public sealed record Pattern(string Text, FaultKind Kind);

    public static IReadOnlyList<Pattern> All { get; } =
    [
        new("Kernel panic", FaultKind.Panic),
        new("Attempted to kill init", FaultKind.Panic),
        new("general protection fault", FaultKind.Oops),
        new("Unable to handle kernel", FaultKind.Oops),
        new("Internal error:", FaultKind.Oops),
        // x86 "Oops: 0002 [#1] ...", arm32 "Oops - BUG: 0 [#1]", others "Oops[#1]".
        new("Oops:", FaultKind.Oops),
        new("Oops -", FaultKind.Oops),
        new("Oops[", FaultKind.Oops),
        // x86 die() headers for a trap in the kernel: BUG() itself is a ud2, reported as
        // "invalid opcode"; arm64's unhandled aborts say "Unhandled fault:".
        new("invalid opcode:", FaultKind.Oops),
        new("divide error:", FaultKind.Oops),
        new("Unhandled fault:", FaultKind.Oops),
        new("kernel BUG at", FaultKind.Bug),
        new("BUG:", FaultKind.Bug),
        new("WARNING:", FaultKind.Warning),
    ];

    /// <summary>The banner every boot prints; seen again after the agent was ready, the guest rebooted.</summary>
    public const string BootBanner = "Linux version ";

    /// <summary>The most severe crash pattern in a console line, if any.</summary>
    public static Pattern? Match(string line)
    {
        foreach (var p in All)
            if (line.Contains(p.Text, StringComparison.Ordinal))
                return p;
        return null;
    }

    /// <summary>Higher is worse; a machine's fault reports the worst kind it saw.</summary>
    public static int Severity(FaultKind kind) => kind switch
    {
        FaultKind.Panic => 6,
        FaultKind.Oops => 5,
        FaultKind.Bug => 4,
        FaultKind.UnexpectedReboot => 3,
        FaultKind.Warning => 2,
        _ => 1,
    };
}
