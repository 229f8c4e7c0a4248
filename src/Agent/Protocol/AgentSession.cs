namespace Conformance.Agent.Protocol;

// Placeholder surface; the protocol implementation replaces this file.
public sealed class AgentSession : IAsyncDisposable
{
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
