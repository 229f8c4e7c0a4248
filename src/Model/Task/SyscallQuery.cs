using Conformance.Model.Seccomp;

namespace Conformance.Model.Task;

/// <summary>
/// A system call as seccomp_data shows it, with the parts the caller cannot know beforehand left
/// null (a pid, an address). The model answers anyway unless a filter loads such a field.
/// Missing arguments are 0.
/// </summary>
public sealed record SyscallQuery(Abi Abi, int Nr, IReadOnlyList<ulong?> Args, ulong? InstructionPointer)
{
    public const int MaxArgs = 6;

    /// <summary>A call whose every value is known (the instruction pointer is taken as 0).</summary>
    public static SyscallQuery Known(Abi abi, int nr, params ulong[] args) => new(abi, nr, [.. args.Select(a => (ulong?)a)], 0);

    public ulong? Arg(int i) => i < Args.Count ? Args[i] : 0;
}
