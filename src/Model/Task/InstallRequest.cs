using Conformance.Model.Bpf;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;

namespace Conformance.Model.Task;

/// <summary>
/// One request to install a filter: the call, its flags, where the struct sock_fprog points
/// (<paramref name="Fprog"/>), the fprog's filter pointer and len, and the instructions readable
/// at that pointer (<paramref name="Mapped"/>; an unmapped page follows them, so a len past them faults).
/// </summary>
public sealed record InstallRequest(InstallCall Call, SeccompFilterFlags Flags, UserPointer Fprog, UserPointer Filter, int Length, Instruction[] Mapped)
{
    /// <summary>
    /// Mapped[..Length] already loaded for the kernel's profile, when the caller keeps such a cache
    /// (eval sends the same programs many times); the model loads it otherwise.
    /// </summary>
    public LoadedFilter? Prepared { get; init; }

    /// <summary>A well-formed request with no flags: the program, whole, at a readable pointer.</summary>
    public static InstallRequest Plain(InstallCall call, Instruction[] program) =>
        new(call, SeccompFilterFlags.None, UserPointer.Readable, UserPointer.Readable, program.Length, program);
}
