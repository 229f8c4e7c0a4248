namespace Conformance.Model.Seccomp;

/// <summary>The rule of Linux's install-time checks that decided a verdict, in the kernel's order.</summary>
public enum CheckRule
{
    Accepted,
    /// <summary>len == 0 or len &gt; 4096 (seccomp_prepare_filter).</summary>
    Length,
    /// <summary>The opcode is not in bpf_check_classic's table (chk_code_allowed).</summary>
    UnknownOpcode,
    /// <summary>DIV or MOD by the constant 0.</summary>
    DivisionByZero,
    /// <summary>LSH or RSH by a constant &gt;= 32.</summary>
    ShiftTooLarge,
    /// <summary>M[k], ST or STX with k &gt;= 16.</summary>
    ScratchIndex,
    /// <summary>A jump whose target lies outside the program.</summary>
    JumpOutOfRange,
    /// <summary>A load from an unknown ancillary offset (k &gt;= SKF_AD_OFF).</summary>
    UnknownAncillary,
    /// <summary>The last instruction is not RET K or RET A.</summary>
    NoFinalReturn,
    /// <summary>A scratch cell is read where it is not written on every path (check_load_and_stores).</summary>
    UninitializedScratch,
    /// <summary>The opcode is valid classic BPF but not in seccomp_check_filter's whitelist.</summary>
    NotAllowedInSeccomp,
    /// <summary>ld [k] with k &gt;= 64 or k not a multiple of 4.</summary>
    LoadOffset,
    /// <summary>The filter would make the chain longer than 32768 instructions (ENOMEM at attach).</summary>
    PathLimit,
}

/// <summary>What Linux answers when asked to install a program: 0 or an errno, and why.</summary>
public readonly record struct CheckResult(int Errno, CheckRule Rule, int Pc, string Reason)
{
    public bool Accepted => Errno == 0;

    public static readonly CheckResult Ok = new(0, CheckRule.Accepted, -1, "accepted");

    public override string ToString() => Accepted ? "accepted" : $"{Errnos.Name(Errno)}: {Reason}";
}
