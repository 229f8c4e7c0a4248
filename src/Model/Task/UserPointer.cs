namespace Conformance.Model.Task;

/// <summary>A user-space pointer the kernel copies from: to readable memory, NULL, or to an unmapped page.</summary>
public enum UserPointer
{
    Readable,
    Null,
    Unmapped,
}
