using Conformance.Machines;

namespace Conformance.Executor.Features;

/// <summary>
/// The whole of `detect`: an executor readies one machine (boot and feature probe) and ends it.
/// A machine that does not boot or fails under the probe throws <see cref="MachineStartException"/>.
/// </summary>
public static class KernelDetector
{
    public sealed record Outcome(KernelDetection Detection, MachineInfo Machine);

    public static async Task<Outcome> DetectAsync(Func<IMachine> createMachine, CancellationToken cancellationToken)
    {
        await using var executor = new CaseExecutor(createMachine, new ExecutorOptions { PoolSize = 1, MaxRestarts = 0 });
        var machine = await executor.StartAsync(cancellationToken);
        return new Outcome(KernelDetection.From(machine.Features, machine.Arch, machine.BootTime), machine);
    }
}
