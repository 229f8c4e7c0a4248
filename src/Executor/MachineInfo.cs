using Conformance.Executor.Features;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;

namespace Conformance.Executor;

/// <summary>
/// The machine that answered, as its feature probe found it: every result carries one, so a
/// consumer always knows which kernel it is judging.
/// </summary>
/// <param name="Serial">Which boot of this executor it is (1 for the first machine, 2 for the first replacement, ...).</param>
/// <param name="BootTime">From the machine's start to the agent's HELO.</param>
public sealed record MachineInfo(
    string Name, string Arch, int Serial, Hello Hello, KernelFeatures Features, KernelProfile Profile, TimeSpan? BootTime);
