using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Conformance.Harness.Verbs;

/// <summary>
/// Logging for verbs: single-line messages on stderr, so a verb's stdout (tables, JSON) stays
/// machine-readable.
/// </summary>
public static class VerbLogging
{
    public static ILoggerFactory Create(bool verbose = false) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information)
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = false;
            o.TimestampFormat = "HH:mm:ss ";
        }));
}
