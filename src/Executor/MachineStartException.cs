using Conformance.Machines;

namespace Conformance.Executor;

public enum StartStage { Boot, Probe }

/// <summary>
/// A machine could not be made ready: it did not boot, or its feature probe failed. The message
/// names the machine and the stage; <see cref="Fault"/> is set when the machine faulted (rather
/// than, say, the host agent failing to start).
/// </summary>
public sealed class MachineStartException(string machineName, StartStage stage, MachineFault? fault, string consoleExcerpt, Exception inner)
    : Exception(stage == StartStage.Boot
        ? $"{machineName} did not boot: {inner.Message}"
        : $"the feature probe failed on {machineName}: {inner.Message}", inner)
{
    public string MachineName { get; } = machineName;
    public StartStage Stage { get; } = stage;
    public MachineFault? Fault { get; } = fault;

    /// <summary>The console lines around the fault, else the end of the console.</summary>
    public string ConsoleExcerpt { get; } = consoleExcerpt;
}
