using System.Text.RegularExpressions;

namespace Conformance.Benchmarks.Selftest;

public enum ProgramEnd { Exit, Signal, Timeout }

/// <summary>
/// How a program that bare-init ran (its `run SECONDS PROGRAM` mode) ended, from the line it prints
/// after reaping it: "CONFORMANCE-BARE-INIT-RAN exit 0 after 4409 ms" (or "signal 9", "timeout").
/// <see cref="Elapsed"/> is the guest's CLOCK_MONOTONIC from fork to reap: the program's own run time.
/// </summary>
public sealed partial record BareInitRun(ProgramEnd End, int Code, TimeSpan Elapsed)
{
    /// <summary>The line prefix; src/Native/bare-init/bare-init.c's RAN_MARKER.</summary>
    public const string Marker = "CONFORMANCE-BARE-INIT-RAN";

    public bool ExitedZero => End == ProgramEnd.Exit && Code == 0;

    public override string ToString() => End switch
    {
        ProgramEnd.Exit => $"exit {Code}",
        ProgramEnd.Signal => $"signal {Code}",
        _ => "timeout",
    } + $" after {Elapsed.TotalSeconds:F2} s";

    public static BareInitRun Parse(string line)
    {
        var m = RanLine().Match(line.Trim());
        if (!m.Success)
            throw new FormatException($"not a bare-init run line: '{line.Trim()}' (expected '{Marker} exit|signal N|timeout after MS ms')");
        var end = m.Groups["end"].Value switch
        {
            "exit" => ProgramEnd.Exit,
            "signal" => ProgramEnd.Signal,
            _ => ProgramEnd.Timeout,
        };
        var code = m.Groups["code"].Success ? int.Parse(m.Groups["code"].Value) : 0;
        return new BareInitRun(end, code, TimeSpan.FromMilliseconds(long.Parse(m.Groups["ms"].Value)));
    }

    [GeneratedRegex(@"CONFORMANCE-BARE-INIT-RAN (?:(?<end>exit|signal) (?<code>\d+)|(?<end>timeout)) after (?<ms>\d+) ms$")]
    private static partial Regex RanLine();
}
