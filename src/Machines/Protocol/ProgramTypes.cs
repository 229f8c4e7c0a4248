namespace Conformance.Machines.Protocol;

/// <summary>Step opcodes of the case program (docs/agent-protocol.md §3).</summary>
public enum StepOp : byte
{
    Syscall = 0x01, Store = 0x02, Load = 0x03, Fork = 0x04, Thread = 0x05, Join = 0x06, Exec = 0x07,
    SigAction = 0x08, SigMask = 0x09, Exit = 0x0a, SetFlag = 0x0b, WaitFlag = 0x0c, ReadFile = 0x0d,
    TraceLoop = 0x0e, Mark = 0x0f, Set = 0x10, Repeat = 0x11, Sleep = 0x12, Fuzz = 0x13,
}

/// <summary>How a SYSCALL step enters the kernel.</summary>
public enum CallAbi : byte
{
    Native = 0,
    /// <summary>x86_64 only: the i386 ABI through int $0x80 from the 64-bit agent.</summary>
    Compat = 1,
}

/// <summary>The image an EXEC step runs.</summary>
public enum ExecImage : byte
{
    /// <summary>The native agent (also when exec'd from the compat helper).</summary>
    Agent = 0,
    /// <summary>The 32-bit compat helper (i386 on x86_64, arm on aarch64).</summary>
    CompatHelper = 1,
}

public enum SignalDisposition : byte { Default = 0, Ignore = 1, RecordingHandler = 2 }

public enum SigMaskHow : byte { Block = 0, Unblock = 1, SetMask = 2 }

public enum TraceResume : byte { Cont = 0, Syscall = 1 }

/// <summary>What a TRACE_LOOP does with the tracee after a response's register changes.</summary>
public enum TraceThen : byte { Resume = 0, Kill = 1, Detach = 2 }

/// <summary>FPROG operand pointer modes.</summary>
public enum FProgPointer : byte
{
    /// <summary>The filter's real instructions.</summary>
    Real = 0,
    /// <summary>filter = NULL.</summary>
    Null = 1,
    /// <summary>filter = an unmapped address.</summary>
    Unmapped = 2,
}

/// <summary>One register change in a TRACE_LOOP response.</summary>
public readonly record struct TraceMod(byte What, long Value)
{
    public static TraceMod Nr(long nr) => new(1, nr);
    public static TraceMod Ret(long value) => new(2, value);
    public static TraceMod Arg(int index, long value) =>
        index is >= 0 and < 6 ? new((byte)(3 + index), value)
        : throw new ArgumentOutOfRangeException(nameof(index), index, "system call arguments are 0..5");
}

/// <summary>The response to one PTRACE_EVENT_SECCOMP stop: register changes, then an action.</summary>
public sealed record TraceResponse(IReadOnlyList<TraceMod> Mods, TraceThen Then = TraceThen.Resume)
{
    public static TraceResponse Of(params TraceMod[] mods) => new(mods);
    /// <summary>Skips the call, which then returns <paramref name="value"/>.</summary>
    public static TraceResponse Skip(long value) => new([TraceMod.Nr(-1), TraceMod.Ret(value)]);
    public static TraceResponse Redirect(int nr) => new([TraceMod.Nr(nr)]);
}

/// <summary>Where a step puts its value: nowhere, an actor register r0..r15 or a shared s0..s15.</summary>
public readonly record struct Dest(byte Code)
{
    public static Dest None { get; } = new(0xff);

    public static Dest Reg(int i) => i is >= 0 and < 16 ? new((byte)i)
        : throw new ArgumentOutOfRangeException(nameof(i), i, "actor registers are r0..r15");

    public static Dest Shared(int i) => i is >= 0 and < 16 ? new((byte)(0x10 + i))
        : throw new ArgumentOutOfRangeException(nameof(i), i, "shared registers are s0..s15");

    public override string ToString() => Code == 0xff ? "none" : Code < 0x10 ? $"r{Code}" : $"s{Code - 0x10}";
}
