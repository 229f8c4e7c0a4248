using Conformance.Model.Seccomp;

namespace Conformance.Model.Task;

/// <summary>
/// What seccomp_data.args holds for a value a task passed in an argument register. A 32-bit process
/// passes 32-bit registers, so the filter sees the low word; `int $0x80` from 64-bit code keeps the
/// full registers (syscall_get_arguments reads regs->bx... whole), so those are not truncated.
/// </summary>
public static class ArgumentRegisters
{
    public static ulong AsSeen(ulong value, Abi abi, bool fromNative64) =>
        abi is Abi.I386 or Abi.Arm && !fromNative64 ? value & 0xffffffff : value;
}
