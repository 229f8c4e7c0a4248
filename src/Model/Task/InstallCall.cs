namespace Conformance.Model.Task;

/// <summary>The system call that asks for a filter: seccomp(SECCOMP_SET_MODE_FILTER) or prctl(PR_SET_SECCOMP, 2), which takes no flags.</summary>
public enum InstallCall
{
    Seccomp,
    Prctl,
}
