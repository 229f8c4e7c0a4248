namespace Conformance.Executor;

public sealed record ExecutorOptions
{
    /// <summary>Machines running at once. One TCG vCPU keeps one host core busy, so the default is the number of cores.</summary>
    public int PoolSize { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// How many machine failures (faults under a program, boots or probes that failed) are followed
    /// by a fresh machine; past that, the remaining programs are not run.
    /// </summary>
    public int MaxRestarts { get; init; } = 5;

    /// <summary>How long a healthy machine gets to end after QUIT when the executor is disposed, before it is killed.</summary>
    public TimeSpan QuitTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
