using Conformance.Model.Seccomp;

namespace Conformance.Model.Text;

/// <summary>How to read filter text.</summary>
public sealed record AssembleOptions
{
    public static AssembleOptions Default { get; } = new();

    /// <summary>
    /// The ABI that unqualified system call names (<c>jeq #getpid, L</c>) resolve in. Without one, such
    /// names are an error; <c>#x86_64.getpid</c> and a <c>.arch</c> directive work either way.
    /// </summary>
    public Abi? Abi { get; init; }
}
