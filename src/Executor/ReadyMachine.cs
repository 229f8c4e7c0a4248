using Conformance.Machines;
using Conformance.Machines.Protocol;

namespace Conformance.Executor;

/// <summary>A booted machine whose feature probe has run: what the pool lends out.</summary>
sealed record ReadyMachine(IMachine Machine, AgentSession Session, MachineInfo Info);
