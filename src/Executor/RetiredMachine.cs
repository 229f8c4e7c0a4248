using Conformance.Machines;

namespace Conformance.Executor;

/// <summary>A machine the executor has ended (after a fault, a failed start, or at disposal), with everything it printed.</summary>
/// <param name="Fault">Why it was retired; null for a healthy machine ended at disposal.</param>
public sealed record RetiredMachine(string Name, int Serial, string ConsoleText, MachineFault? Fault);
