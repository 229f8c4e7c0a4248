namespace Conformance.Model.Task;

/// <summary>current->seccomp.mode: once set it never goes back, and never changes to the other mode.</summary>
public enum SeccompMode
{
    Disabled = 0,
    Strict = 1,
    Filter = 2,
}
