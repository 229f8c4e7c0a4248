namespace Conformance.Model.Task;

/// <summary>What the task's sigaction says for SIGSYS; only a handler lets a TRAP be survived.</summary>
public enum SigsysDisposition
{
    Default,
    Ignore,
    Handler,
}
