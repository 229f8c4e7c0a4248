using Conformance.Model.Seccomp;

namespace Conformance.Model.Text;

/// <summary>
/// The seccomp spellings the assembler reads and the disassembler writes: actions (<c>ALLOW</c>,
/// <c>ERRNO(5)</c>), AUDIT_ARCH_* constants and seccomp_data fields (<c>nr</c>, <c>args[2]</c>).
/// Action and arch names are upper case, as in the uapi headers, so they never collide with the
/// lower-case system call names (<c>KILL</c> is the action, <c>kill</c> the system call).
/// </summary>
static class SeccompNames
{
    /// <summary>Action spellings and their return value with zero data. KILL is the uapi alias of KILL_THREAD.</summary>
    public static readonly IReadOnlyList<(string Name, uint Value)> Actions =
    [
        ("ALLOW", SeccompRet.Allow),
        ("KILL_THREAD", SeccompRet.KillThread),
        ("KILL_PROCESS", SeccompRet.KillProcess),
        ("TRAP", SeccompRet.Trap),
        ("ERRNO", SeccompRet.Errno),
        ("TRACE", SeccompRet.Trace),
        ("USER_NOTIF", SeccompRet.UserNotif),
        ("LOG", SeccompRet.Log),
        ("KILL", SeccompRet.KillThread),
    ];

    public static readonly IReadOnlyList<(string Name, uint Value)> Arches =
    [
        ("AUDIT_ARCH_X86_64", AuditArch.X86_64),
        ("AUDIT_ARCH_I386", AuditArch.I386),
        ("AUDIT_ARCH_AARCH64", AuditArch.Aarch64),
        ("AUDIT_ARCH_ARM", AuditArch.Arm),
    ];

    public static bool TryAction(string name, out uint value) => TryFind(Actions, name, out value);
    public static bool TryArch(string name, out uint value) => TryFind(Arches, name, out value);

    /// <summary>The canonical action name for a full return value's action half, if it is a known action.</summary>
    public static string? ActionNameOf(uint ret)
    {
        uint action = ret & SeccompRet.ActionFull;
        foreach (var (name, value) in Actions)
            if (value == action)
                return name;
        return null;
    }

    public static string? ArchNameOf(uint value)
    {
        foreach (var (name, v) in Arches)
            if (v == value)
                return name;
        return null;
    }

    /// <summary>A spelling that differs only in case, to suggest when a name is written in lower case.</summary>
    public static string? CaseInsensitiveMatch(string name)
    {
        foreach (var (n, _) in Actions.Concat(Arches))
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
                return n;
        return null;
    }

    /// <summary>seccomp_data field offsets: nr 0, arch 4, instruction_pointer 8 (ip_hi 12), args[i] 16+8i (+4 high word).</summary>
    public static bool TryField(string name, out uint offset)
    {
        switch (name.ToLowerInvariant())
        {
            case "nr": offset = 0; return true;
            case "arch": offset = 4; return true;
            case "ip": case "instruction_pointer": offset = 8; return true;
            case "ip_hi": case "instruction_pointer_hi": offset = 12; return true;
        }
        // arg0 .. arg5 and arg0_hi .. arg5_hi; the bracketed args[i] form is parsed by the caller.
        var lower = name.ToLowerInvariant();
        bool hi = lower.EndsWith("_hi", StringComparison.Ordinal);
        var stem = hi ? lower[..^3] : lower;
        if (stem.Length == 4 && stem.StartsWith("arg", StringComparison.Ordinal) && stem[3] is >= '0' and <= '5')
        {
            offset = ArgOffset(stem[3] - '0', hi);
            return true;
        }
        offset = 0;
        return false;
    }

    public static uint ArgOffset(int index, bool high) => (uint)(16 + 8 * index + (high ? 4 : 0));

    /// <summary>The field name the disassembler prints for a 32-bit load offset, or null.</summary>
    public static string? FieldNameOf(uint offset) => offset switch
    {
        0 => "nr",
        4 => "arch",
        8 => "ip",
        12 => "ip_hi",
        >= 16 and < 64 when offset % 4 == 0 =>
            (offset - 16) % 8 == 0 ? $"args[{(offset - 16) / 8}]" : $"args_hi[{(offset - 20) / 8}]",
        _ => null,
    };

    static bool TryFind(IReadOnlyList<(string Name, uint Value)> table, string name, out uint value)
    {
        foreach (var (n, v) in table)
            if (n == name) { value = v; return true; }
        value = 0;
        return false;
    }
}
