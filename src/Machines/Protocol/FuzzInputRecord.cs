using System.Buffers.Binary;

namespace Conformance.Machines.Protocol;

/// <summary>How a FUZZ input's call ended.</summary>
public enum FuzzOutcome : byte
{
    /// <summary>The call returned; Value is its return value.</summary>
    Returned = 1,
    /// <summary>The worker's SIGSYS handler ran; Value is the interrupted context's return register.</summary>
    SigsysCaught = 2,
    /// <summary>The fuzz thread died in the call (KILL_THREAD, or the call ended the thread).</summary>
    ThreadDied = 3,
    /// <summary>The worker process died in the call; Signo is the signal (0 when the call exited it).</summary>
    ProcessDied = 4,
}

/// <summary>
/// One input's 96-byte record (docs/agent-protocol.md §3, FUZZ, "The input record"), the unit of
/// a stack's digest. <see cref="Write"/> produces exactly the agent's bytes, so a digest computed
/// from a model's records (<see cref="FuzzDigest"/>) can be compared with FUZZ_STACK's.
/// </summary>
public sealed record FuzzInputRecord(
    uint Index, FuzzOutcome Kind, byte Slot, int Nr, int Signo, long Value, int SiErrno, int SiCode, ulong SiCallAddr,
    int SiSyscall, uint SiArch, IReadOnlyList<ulong> Args)
{
    public const int Size = 96;

    /// <summary>Bit 0 of <see cref="Flags"/>: the SIGSYS handler found its context set to make the call again (a signal restart); the agent resumed after the call instead.</summary>
    public const ushort RestartFlag = 1;

    /// <summary>Bit 1 of <see cref="Flags"/>: the call reached the stack's listener; SiSyscall, SiArch and SiCallAddr hold the notification's nr, arch and instruction pointer.</summary>
    public const ushort NotifiedFlag = 2;

    /// <summary>
    /// Bit 2 of <see cref="Flags"/>: the step's tracer (FUZZ's TRACER flag) saw a seccomp stop in the
    /// call and resumed it unchanged. A returned record holds the stop's event message in SiErrno's
    /// place (<see cref="TraceMessage"/>); a SIGSYS record's SiErrno is the signal's and a death
    /// record's is 0, the flag stays.
    /// </summary>
    public const ushort TracedFlag = 4;

    /// <summary>What the FUZZ worker answers every notification with: the notified call returns it.</summary>
    public const long NotificationAnswer = 0x6e6f7469;

    /// <summary>The record's u16 at offset 6 (docs/agent-protocol.md, FUZZ).</summary>
    public ushort Flags { get; init; }

    public IReadOnlyList<ulong> Args { get; } = Args.Count == 6 ? [.. Args]
        : throw new ArgumentException($"a FUZZ input has 6 arguments, got {Args.Count}", nameof(Args));

    /// <summary>The seccomp stop's event message of a returned record with <see cref="TracedFlag"/> (or PTRACE_GETEVENTMSG's negative errno), else null.</summary>
    public int? TraceMessage => (Flags & TracedFlag) != 0 && Kind == FuzzOutcome.Returned ? SiErrno : null;

    /// <summary>
    /// This record as the agent leaves it when a seccomp stop with <paramref name="eventMessage"/>
    /// came first: <see cref="TracedFlag"/> set and, in a returned record, the message in SiErrno's place.
    /// </summary>
    public FuzzInputRecord AfterTraceStop(ushort eventMessage) => this with
    {
        Flags = (ushort)(Flags | TracedFlag),
        SiErrno = Kind == FuzzOutcome.Returned ? eventMessage : SiErrno,
    };

    /// <summary>The input this record is about.</summary>
    public FuzzInput Input => new(Index, Nr, Args, Slot);

    public static FuzzInputRecord Returned(FuzzInput input, long value) => Of(input, FuzzOutcome.Returned) with { Value = value };

    public static FuzzInputRecord SigsysCaught(FuzzInput input, long contextReturn, int siErrno, int siCode, ulong siCallAddr,
        int siSyscall, uint siArch, int signo = 31) =>
        Of(input, FuzzOutcome.SigsysCaught) with
        {
            Signo = signo, Value = contextReturn, SiErrno = siErrno, SiCode = siCode, SiCallAddr = siCallAddr,
            SiSyscall = siSyscall, SiArch = siArch,
        };

    public static FuzzInputRecord ThreadDied(FuzzInput input) => Of(input, FuzzOutcome.ThreadDied);

    public static FuzzInputRecord ProcessDied(FuzzInput input, int signo) => Of(input, FuzzOutcome.ProcessDied) with { Signo = signo };

    static FuzzInputRecord Of(FuzzInput input, FuzzOutcome kind)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new(input.Index, kind, input.Slot, input.Nr, 0, 0, 0, 0, 0, 0, 0, input.Args);
    }

    /// <summary>Writes the agent's 96 bytes.</summary>
    public void Write(Span<byte> into)
    {
        if (into.Length < Size) throw new ArgumentException($"a FUZZ input record takes {Size} bytes", nameof(into));
        var r = into[..Size];
        r.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(r, Index);
        r[4] = (byte)Kind;
        r[5] = Slot;
        BinaryPrimitives.WriteUInt16LittleEndian(r[6..], Flags);
        BinaryPrimitives.WriteInt32LittleEndian(r[8..], Nr);
        BinaryPrimitives.WriteInt32LittleEndian(r[12..], Signo);
        BinaryPrimitives.WriteInt64LittleEndian(r[16..], Value);
        BinaryPrimitives.WriteInt32LittleEndian(r[24..], SiErrno);
        BinaryPrimitives.WriteInt32LittleEndian(r[28..], SiCode);
        BinaryPrimitives.WriteUInt64LittleEndian(r[32..], SiCallAddr);
        BinaryPrimitives.WriteInt32LittleEndian(r[40..], SiSyscall);
        BinaryPrimitives.WriteUInt32LittleEndian(r[44..], SiArch);
        for (int a = 0; a < 6; a++) BinaryPrimitives.WriteUInt64LittleEndian(r[(48 + 8 * a)..], Args[a]);
    }

    public byte[] ToBytes()
    {
        var b = new byte[Size];
        Write(b);
        return b;
    }

    /// <summary>Reads the agent's 96 bytes (the kind is taken as it is, even when it is not a known outcome).</summary>
    public static FuzzInputRecord Read(ReadOnlySpan<byte> from)
    {
        if (from.Length < Size) throw new ArgumentException($"a FUZZ input record takes {Size} bytes", nameof(from));
        var args = new ulong[6];
        for (int a = 0; a < 6; a++) args[a] = BinaryPrimitives.ReadUInt64LittleEndian(from[(48 + 8 * a)..]);
        return new(BinaryPrimitives.ReadUInt32LittleEndian(from), (FuzzOutcome)from[4], from[5],
            BinaryPrimitives.ReadInt32LittleEndian(from[8..]), BinaryPrimitives.ReadInt32LittleEndian(from[12..]),
            BinaryPrimitives.ReadInt64LittleEndian(from[16..]), BinaryPrimitives.ReadInt32LittleEndian(from[24..]),
            BinaryPrimitives.ReadInt32LittleEndian(from[28..]), BinaryPrimitives.ReadUInt64LittleEndian(from[32..]),
            BinaryPrimitives.ReadInt32LittleEndian(from[40..]), BinaryPrimitives.ReadUInt32LittleEndian(from[44..]), args)
        {
            Flags = BinaryPrimitives.ReadUInt16LittleEndian(from[6..]),
        };
    }

    public bool Equals(FuzzInputRecord? other) => other is not null && ToBytes().AsSpan().SequenceEqual(other.ToBytes());

    public override int GetHashCode() => HashCode.Combine(Index, Kind, Nr, Value, Args[0]);

    public override string ToString() => ((Flags & TracedFlag) != 0
        ? $"{Input}: after a seccomp stop{(TraceMessage is { } m ? $" (message {m})" : "")}, "
        : $"{Input}: ") + Kind switch
    {
        FuzzOutcome.Returned => $"returned {Value}",
        FuzzOutcome.SigsysCaught => $"SIGSYS (signo {Signo}, errno {SiErrno}, code {SiCode}, call_addr 0x{SiCallAddr:x}, syscall {SiSyscall}, arch 0x{SiArch:x}), return register {Value}{((Flags & RestartFlag) != 0 ? ", the kernel would make the call again" : "")}",
        FuzzOutcome.ThreadDied => "thread died",
        FuzzOutcome.ProcessDied => $"process died (signal {Signo})",
        _ => $"kind {(byte)Kind}",
    };
}
