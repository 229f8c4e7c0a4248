namespace Conformance.Model.Task;

/// <summary>A seccomp_data field a caller may not know until run time; the value is its byte offset.</summary>
public enum SeccompField : uint
{
    InstructionPointer = 8,
    Arg0 = 16,
    Arg1 = 24,
    Arg2 = 32,
    Arg3 = 40,
    Arg4 = 48,
    Arg5 = 56,
}
