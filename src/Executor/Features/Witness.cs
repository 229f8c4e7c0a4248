namespace Conformance.Executor.Features;

/// <summary>What one witness says about a feature: it saw it, it saw it missing, or it could not tell.</summary>
public enum Sighting { Present, Absent, Silent }

/// <summary>
/// One independent way of seeing a feature (a NULL-argument probe, a real filter in a child, a
/// status file, the kernel config) and what it saw. <paramref name="Answer"/> is the raw answer
/// (an errno name, a wait status) for the report; <paramref name="Says"/> is what decides.
/// </summary>
public sealed record Witness(string Name, Sighting Says, string Answer)
{
    public override string ToString() => $"{Name} gave {Answer} ({Says.ToString().ToLowerInvariant()})";
}
