namespace Conformance.Machines.Protocol;

/// <summary>
/// A step list being written (docs/agent-protocol.md §3, Steps). Every method appends one step
/// and returns this body, so a case reads top to bottom like the C it stands for. Step ids are
/// the caller's; they come back in every observation the step makes. 0xffff is reserved for the
/// case root's START and END.
/// </summary>
public sealed class Body
{
    public const ushort RootStep = 0xffff;
    public const int MaxRecordLength = 65528 - 16 - 10;

    internal readonly PayloadWriter Bytes = new();
    internal readonly List<Operand> Operands = [];
    internal readonly List<(int depth, ushort step)> Steps = [];
    /// <summary>Filters named outside operands (FUZZ stacks), for ProgramBuilder's index check.</summary>
    internal readonly List<int> FilterIndices = [];
    int _depth;

    Body Op(StepOp op, ushort step)
    {
        if (step == RootStep) throw new ArgumentOutOfRangeException(nameof(step), "step id 0xffff is reserved for the case root");
        Steps.Add((_depth, step));
        Bytes.U8((byte)op).U16(step);
        return this;
    }

    Body Opnd(Operand o)
    {
        ArgumentNullException.ThrowIfNull(o);
        Operands.Add(o);
        o.Encode(Bytes);
        return this;
    }

    Body Nested(Action<Body> build)
    {
        if (_depth + 1 > 64) throw new InvalidOperationException("bodies nested more than 64 deep");
        var child = new Body { _depth = _depth + 1 };
        build(child);
        Bytes.U32((uint)child.Bytes.Length).Bytes(child.Bytes.ToArray());
        Operands.AddRange(child.Operands);
        FilterIndices.AddRange(child.FilterIndices);
        Steps.AddRange(child.Steps);
        return this;
    }

    /// <summary>
    /// A raw system call; <paramref name="args"/> (at most 6) are padded with zeros. With
    /// <paramref name="recordOnlyReturned"/> a read-like call records at most as many bytes as it
    /// returned (results stay small on a serial line).
    /// </summary>
    public Body Call(ushort step, int nr, IReadOnlyList<Operand>? args = null, Dest? dest = null,
        CallAbi abi = CallAbi.Native, ushort recordLength = 0, Operand? recordAddress = null, bool recordOnlyReturned = false)
    {
        args ??= [];
        if (args.Count > 6) throw new ArgumentException($"a system call has at most 6 arguments, got {args.Count}", nameof(args));
        if (recordLength > MaxRecordLength) throw new ArgumentOutOfRangeException(nameof(recordLength), recordLength, $"at most {MaxRecordLength}");
        if (recordLength > 0 && recordAddress is null) throw new ArgumentException("recordLength needs a recordAddress", nameof(recordAddress));
        Op(StepOp.Syscall, step).Bytes.U8((byte)((byte)abi | (recordOnlyReturned ? 2 : 0))).I32(nr);
        for (int i = 0; i < 6; i++) Opnd(i < args.Count ? args[i] : Operand.Null);
        Bytes.U8((dest ?? Dest.None).Code).U16(recordLength);
        if (recordLength > 0) Opnd(recordAddress!);
        return this;
    }

    public Body Syscall(ushort step, int nr, params Operand[] args) => Call(step, nr, args);
    public Body Syscall(ushort step, int nr, Dest dest, params Operand[] args) => Call(step, nr, args, dest);

    /// <summary>The i386 ABI from the x86_64 agent (int $0x80). <paramref name="nr"/> is the i386 number.</summary>
    public Body CompatSyscall(ushort step, int nr, Dest dest, params Operand[] args) => Call(step, nr, args, dest, CallAbi.Compat);

    /// <summary>A system call that also records <paramref name="length"/> bytes at <paramref name="at"/> (read after the call).</summary>
    public Body SyscallRecording(ushort step, int nr, Dest dest, Operand at, ushort length, params Operand[] args) =>
        Call(step, nr, args, dest, CallAbi.Native, length, at);

    public Body Store(ushort step, int width, Operand address, Operand value)
    {
        CheckWidth(width);
        Op(StepOp.Store, step).Bytes.U8((byte)width);
        return Opnd(address).Opnd(value);
    }

    public Body Load(ushort step, int width, Operand address, Dest dest, bool signExtend = false)
    {
        CheckWidth(width);
        Op(StepOp.Load, step).Bytes.U8((byte)width);
        Opnd(address);
        Bytes.U8(dest.Code).U8(signExtend ? (byte)1 : (byte)0);
        return this;
    }

    /// <summary>clone(SIGCHLD): the child runs <paramref name="child"/> (START ... END, then exit_group(0)); dest gets its pid.</summary>
    public Body Fork(ushort step, Dest dest, Action<Body> child)
    {
        Op(StepOp.Fork, step).Bytes.U8(dest.Code);
        return Nested(child);
    }

    /// <summary>A raw clone thread running <paramref name="thread"/>; dest gets its tid.</summary>
    public Body Thread(ushort step, Dest dest, Action<Body> thread)
    {
        Op(StepOp.Thread, step).Bytes.U8(dest.Code);
        return Nested(thread);
    }

    public Body Join(ushort step, Operand tid, uint timeoutMs)
    {
        Op(StepOp.Join, step);
        Opnd(tid);
        Bytes.U32(timeoutMs);
        return this;
    }

    /// <summary>execve of <paramref name="image"/>, which continues this actor with <paramref name="then"/>.</summary>
    public Body Exec(ushort step, ExecImage image, Action<Body> then)
    {
        Op(StepOp.Exec, step).Bytes.U8((byte)image);
        return Nested(then);
    }

    public Body SigAction(ushort step, int signo, SignalDisposition disposition, uint saFlags = 0)
    {
        if (signo is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(signo), signo, "signals are 1..64");
        Op(StepOp.SigAction, step).Bytes.U8((byte)signo).U8((byte)disposition).U32(saFlags);
        return this;
    }

    /// <summary>rt_sigprocmask; bit n-1 of <paramref name="mask"/> is signal n.</summary>
    public Body SigMask(ushort step, SigMaskHow how, ulong mask)
    {
        Op(StepOp.SigMask, step).Bytes.U8((byte)how).U64(mask);
        return this;
    }

    /// <summary>Records END, then exit (thread) or exit_group (process).</summary>
    public Body Exit(ushort step, int code, bool group = true)
    {
        Op(StepOp.Exit, step).Bytes.U8(group ? (byte)1 : (byte)0).I32(code);
        return this;
    }

    public Body SetFlag(ushort step, int flag)
    {
        Op(StepOp.SetFlag, step).Bytes.U8(CheckFlag(flag));
        return this;
    }

    /// <summary>Yields until the flag is set; records TIMEOUT if it never was.</summary>
    public Body WaitFlag(ushort step, int flag, uint timeoutMs)
    {
        Op(StepOp.WaitFlag, step).Bytes.U8(CheckFlag(flag)).U32(timeoutMs);
        return this;
    }

    /// <summary>Reads a file (<paramref name="path"/> points at a NUL-terminated string, e.g. a blob from AddString).</summary>
    public Body ReadFile(ushort step, Operand path, uint maxLength, bool nonblock = false)
    {
        Op(StepOp.ReadFile, step);
        Opnd(path);
        Bytes.U32(maxLength).U8(nonblock ? (byte)1 : (byte)0);
        return this;
    }

    /// <summary>
    /// The tracer loop over <paramref name="pid"/> (already attached by earlier steps). Responses
    /// apply in order to PTRACE_EVENT_SECCOMP stops. <paramref name="maxStops"/> 0 means no limit.
    /// </summary>
    public Body TraceLoop(ushort step, Operand pid, TraceResume resume, ushort maxStops, params TraceResponse[] responses)
    {
        if (responses.Length > 255) throw new ArgumentException("at most 255 responses", nameof(responses));
        Op(StepOp.TraceLoop, step);
        Opnd(pid);
        Bytes.U8((byte)resume).U16(maxStops).U8((byte)responses.Length);
        foreach (var r in responses)
        {
            if (r.Mods.Count > 255) throw new ArgumentException("at most 255 register changes per response", nameof(responses));
            Bytes.U8((byte)r.Mods.Count);
            foreach (var m in r.Mods) Bytes.U8(m.What).I64(m.Value);
            Bytes.U8((byte)r.Then);
        }
        return this;
    }

    public Body Mark(ushort step, uint value)
    {
        Op(StepOp.Mark, step).Bytes.U32(value);
        return this;
    }

    public Body Set(ushort step, Dest dest, Operand value)
    {
        Op(StepOp.Set, step).Bytes.U8(dest.Code);
        return Opnd(value);
    }

    public Body Repeat(ushort step, ushort count, Action<Body> body)
    {
        Op(StepOp.Repeat, step).Bytes.U16(count);
        return Nested(body);
    }

    public Body Sleep(ushort step, uint ms)
    {
        Op(StepOp.Sleep, step).Bytes.U32(ms);
        return this;
    }

    /// <summary>
    /// The verdict fuzzer's step: every stack of <paramref name="fuzz"/> in a worker thread against
    /// its inputs (FUZZ_SETUP, then FUZZ_STACK per stack and, with <see cref="FuzzFlags.Detail"/>,
    /// FUZZ_INPUT per input). Every filter a stack names must let seccomp, prctl, rt_sigreturn and
    /// exit through.
    /// </summary>
    public Body Fuzz(ushort step, FuzzStep fuzz)
    {
        ArgumentNullException.ThrowIfNull(fuzz);
        Op(StepOp.Fuzz, step);
        fuzz.Encode(Bytes);
        FilterIndices.AddRange(fuzz.Stacks.SelectMany(s => s.Filters));
        return this;
    }

    public Body Fuzz(ushort step, FuzzFlags flags, IReadOnlyList<int> nrPool, IReadOnlyList<ulong> argPool, IReadOnlyList<ulong> slotIps,
        params FuzzStack[] stacks) =>
        Fuzz(step, new FuzzStep(flags, nrPool, argPool, slotIps, stacks));

    static void CheckWidth(int width)
    {
        if (width is not (1 or 2 or 4 or 8)) throw new ArgumentOutOfRangeException(nameof(width), width, "width is 1, 2, 4 or 8");
    }

    static byte CheckFlag(int flag) => flag is >= 0 and < 32 ? (byte)flag
        : throw new ArgumentOutOfRangeException(nameof(flag), flag, "flags are f0..f31");
}
