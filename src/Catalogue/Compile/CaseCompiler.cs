using Conformance.Machines.Protocol;
using Conformance.Catalogue.Cases;
using Conformance.Executor.Features;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;
using Conformance.Model.Text;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Compile;

/// <summary>
/// Turns a case into an agent program for one machine arch: assembles each filter for each ABI
/// that installs it, resolves syscall names per actor ABI, allocates registers for saved names,
/// and numbers the steps so observations map back to them.
/// </summary>
public sealed class CaseCompiler
{
    readonly CaseDefinition _case;
    readonly Abi _native, _compat;
    readonly KernelFeatures? _features;
    readonly string _arch;
    readonly Version? _kernel;
    readonly ProgramBuilder _program = new();
    readonly Dictionary<ushort, StepInfo> _steps = [];
    readonly Dictionary<(string, Abi), int> _filterIndex = [];
    readonly Dictionary<(string, Abi), Instruction[]> _filters = [];
    readonly Dictionary<(string, Abi), Instruction[]> _assembled = [];
    readonly Dictionary<string, int> _registers = [];
    readonly Dictionary<string, int> _shared = [];
    readonly Dictionary<string, int> _blobs = [];
    ushort _nextId = 1;

    /// <summary>A register no saved name uses: operands such as `$shared.x+1` go through it.</summary>
    const int ScratchRegister = 15;

    CaseCompiler(CaseDefinition c, string arch, KernelFeatures? features)
    {
        _case = c;
        (_native, _compat) = arch switch
        {
            "x86_64" => (Abi.X86_64, Abi.I386),
            "aarch64" => (Abi.Aarch64, Abi.Arm),
            _ => throw new ArgumentException($"unknown machine arch '{arch}'", nameof(arch)),
        };
        _features = features;
        _arch = arch;
        _kernel = features is null ? null : KernelProfiles.ParseRelease(features.Release);
    }

    /// <summary>Compiles a case for a machine; throws <see cref="CaseFormatException"/> naming the step or filter line.</summary>
    public static CompiledCase Compile(CaseDefinition c, string arch, KernelFeatures? features = null)
    {
        var compiler = new CaseCompiler(c, arch, features);
        compiler._program.Root(body => compiler.EmitAll(body, c.Steps, compiler._native));
        return new CompiledCase(c, arch, compiler._native, compiler._compat, compiler._program.Build(), compiler._steps, compiler._filters);
    }

    void EmitAll(Body body, IReadOnlyList<Step> steps, Abi abi)
    {
        foreach (var step in steps)
            if (step.When is not { } when || when.Holds(_features, _arch, _kernel))
                Emit(body, step, abi);
    }

    ushort Id(Step step, Abi abi, int? nr = null, bool isInternal = false)
    {
        if (_nextId == Body.RootStep) throw step.Pos.Error("the case has too many steps");
        var id = _nextId++;
        _steps[id] = new StepInfo(id, step, abi, nr) { Internal = isInternal };
        return id;
    }

    void Emit(Body body, Step step, Abi abi)
    {
        switch (step)
        {
            case CallStep call: EmitCall(body, call, abi); break;
            case SigActionStep s: body.SigAction(Id(s, abi), s.Signo, s.Disposition); break;
            case SigMaskStep s: body.SigMask(Id(s, abi), s.How, s.Mask); break;
            case ForkStep f: body.Fork(Id(f, abi), DestOf(f.Save, f), child => EmitAll(child, f.Body, abi)); break;
            case ThreadStep t: body.Thread(Id(t, abi), DestOf(t.Save, t), child => EmitAll(child, t.Body, abi)); break;
            case ExecStep e:
            {
                var childAbi = e.Compat ? _compat : _native;
                body.Exec(Id(e, abi), e.Compat ? ExecImage.CompatHelper : ExecImage.Agent, child => EmitAll(child, e.Body, childAbi));
                break;
            }
            case WaitStep w:
            {
                int nr = Number(w, abi, "wait4");
                body.Call(Id(w, abi, nr), nr, [ToOperand(body, w.Target, abi, w), Operand.Scratch(ScratchLayout.WaitStatus), Operand.Imm(w.Options), Operand.Null],
                    DestOf(w.Save, w), CallAbi.Native, 4, Operand.Scratch(ScratchLayout.WaitStatus));
                break;
            }
            case JoinStep j: body.Join(Id(j, abi), ToOperand(body, j.Tid, abi, j), j.TimeoutMs); break;
            case SetFlagStep s: body.SetFlag(Id(s, abi), s.Flag); break;
            case WaitFlagStep w: body.WaitFlag(Id(w, abi), w.Flag, w.TimeoutMs); break;
            case SleepStep s: body.Sleep(Id(s, abi), s.Ms); break;
            case ReadStep r: body.ReadFile(Id(r, abi), Operand.Blob(Blob(r.Path + "\0")), r.MaxLength, r.NonBlock); break;
            case KmsgMarkStep k:
            {
                int openat = Number(k, abi, "openat");
                var dest = DestOf(k.Save, k);
                body.Call(Id(k, abi, openat), openat, [Operand.Imm(AT_FDCWD), Operand.Blob(Blob("/dev/kmsg\0")), Operand.Imm(0x800), Operand.Imm(0)], dest);
                int lseek = Number(k, abi, "lseek");
                body.Call(Id(k, abi, lseek, isInternal: true), lseek, [ToOperand(body, new SavedValue(k.Save!), abi, k), Operand.Imm(0), Operand.Imm(2)]);
                break;
            }
            case KmsgReadStep k:
            {
                int read = Number(k, abi, "read");
                var id = Id(k, abi, read);
                var fd = ToOperand(body, k.Fd, abi, k);
                body.Repeat(Id(k, abi, isInternal: true), KmsgReadStep.Reads, b =>
                    b.Call(id, read, [fd, Operand.Scratch(ScratchLayout.FilterDump), Operand.Imm(8191)], null, CallAbi.Native, 1024,
                        Operand.Scratch(ScratchLayout.FilterDump), recordOnlyReturned: true));
                break;
            }
            case MarkStep m: body.Mark(Id(m, abi), m.Value); break;
            case ExitStep e: body.Exit(Id(e, abi), e.Code, e.Group); break;
            case TraceStep t: EmitTrace(body, t, abi); break;
            case NotifRecvStep n:
            {
                int ioctl = Number(n, abi, "ioctl");
                var id = Id(n, abi, ioctl);
                for (uint off = 0; off < SeccompNotifSize; off += 8)
                    body.Store(id, 8, Operand.Scratch(ScratchLayout.Notification + off), Operand.Imm(0));
                body.Call(id, ioctl, [ToOperand(body, n.Fd, abi, n), Operand.Imm(SECCOMP_IOCTL_NOTIF_RECV), Operand.Scratch(ScratchLayout.Notification)],
                    null, CallAbi.Native, SeccompNotifSize, Operand.Scratch(ScratchLayout.Notification));
                if (n.Save is not null)
                    body.Load(id, 8, Operand.Scratch(ScratchLayout.Notification), DestOf(n.Save, n));
                break;
            }
            case SetStep s: body.Set(Id(s, abi), DestOf(s.Save, s) , ToOperand(body, s.Value, abi, s)); break;
            default: throw step.Pos.Error($"the compiler does not know step {step.GetType().Name}");
        }
    }

    void EmitCall(Body body, CallStep call, Abi actorAbi)
    {
        // `abi: compat` from the native x86_64 agent goes through int $0x80 with i386 numbers.
        var abi = call.Compat ? _compat : actorAbi;
        if (call.Compat && (_native != Abi.X86_64 || actorAbi != Abi.X86_64))
            throw call.Pos.Error("abi: compat calls are int $0x80 from x86_64; on arm64 use exec32 to run AArch32 code");
        // An install with no `via` uses prctl on a kernel without seccomp(2) (before 3.17).
        var written = call;
        if (call.Effect is InstallInfo { Via: InstallVia.Auto } install && _features is { } f && install.On(f.Has("seccomp_syscall")) == InstallVia.Prctl)
            call = call with { Nr = new SyscallNameValue("prctl"), Args = [new IntValue(PR_SET_SECCOMP), new IntValue(SECCOMP_MODE_FILTER), call.Args[2], new IntValue(0), new IntValue(0)] };
        int nr = call.Nr switch
        {
            SyscallNameValue n => Number(call, abi, n.Name),
            IntValue i => (int)i.Value,
            _ => throw call.Pos.Error("a call's number must be a name or an integer"),
        };
        var id = Id(written, abi, nr);
        if (!ReferenceEquals(written, call))
            _steps[id] = _steps[id] with { Made = call };
        foreach (var store in PrepareOf(call))
            body.Store(id, store.Width, Operand.Scratch(store.Offset), ToOperand(body, store.Value, abi, call));
        var args = call.Args.Select(a => ToOperand(body, a, abi, call)).ToList();
        body.Call(id, nr, args, DestOf(call.Save, call), call.Compat ? CallAbi.Compat : CallAbi.Native,
            (ushort)RecordLengthOf(call, abi), call.RecordAt is null ? null : ToOperand(body, call.RecordAt, abi, call));
        if (call.Effect is OpensPipe pipe)
        {
            body.Load(id, 4, Operand.Scratch(ScratchLayout.PipeFds), DestOf(pipe.ReadName, call), signExtend: true);
            body.Load(id, 4, Operand.Scratch(ScratchLayout.PipeFds + 4), DestOf(pipe.WriteName, call), signExtend: true);
        }
    }

    /// <summary>Struct stores a call needs; drop_caps's capability words depend on the probed kernel.</summary>
    IReadOnlyList<ScratchStore> PrepareOf(CallStep call)
    {
        if (call.Effect is not DropsCapabilities drop)
            return call.Prepare;
        int last = _features?.CapLastCap ?? 40;
        ulong full = last >= 63 ? ulong.MaxValue : (1UL << (last + 1)) - 1;
        // capset may only lower the sets: keep what the agent was found to hold (a container's
        // agent may lack some), not every capability the kernel knows.
        ulong held = _features?.CapEffective is { } eff ? eff & full : full;
        ulong keep = drop.All ? 0 : held & ~drop.Mask;
        const uint at = ScratchLayout.Prepared;
        return
        [
            new ScratchStore(at, 4, new IntValue(LinuxCapabilityVersion3)), new ScratchStore(at + 4, 4, new IntValue(0)),
            // struct __user_cap_data_struct[2]: effective, permitted, inheritable for bits 0-31, then 32-63.
            new ScratchStore(at + 8, 4, new IntValue((uint)keep)), new ScratchStore(at + 12, 4, new IntValue((uint)keep)),
            new ScratchStore(at + 16, 4, new IntValue(0)),
            new ScratchStore(at + 20, 4, new IntValue((uint)(keep >> 32))), new ScratchStore(at + 24, 4, new IntValue((uint)(keep >> 32))),
            new ScratchStore(at + 28, 4, new IntValue(0)),
        ];
    }

    void EmitTrace(Body body, TraceStep t, Abi abi)
    {
        var responses = t.Responses.Select(r =>
        {
            var mods = new List<TraceMod>();
            if (r.RedirectTo is { } to)
                mods.Add(TraceMod.Nr(to switch
                {
                    SyscallNameValue n => Number(t, abi, n.Name),
                    IntValue i => i.Value,
                    _ => throw t.Pos.Error("redirect takes a syscall name or number"),
                }));
            if (r.SkipWith is { } v)
            {
                mods.Add(TraceMod.Nr(-1));
                mods.Add(TraceMod.Ret(v));
            }
            foreach (var (index, value) in r.SetArgs)
                mods.Add(TraceMod.Arg(index, value));
            return new TraceResponse(mods, r.Then);
        }).ToArray();
        body.TraceLoop(Id(t, abi), ToOperand(body, t.Tracee, abi, t), t.Resume, (ushort)t.MaxStops, responses);
    }

    int Number(Step step, Abi abi, string name)
    {
        if (SyscallTable.TryGetNumber(abi, name, out var nr)) return nr;
        // 32-bit ABIs name the uid calls with a 32 suffix (setresuid32).
        if (SyscallTable.TryGetNumber(abi, name + "32", out nr)) return nr;
        throw step.Pos.Error($"no system call '{name}' on {AuditArch.Name(abi)}");
    }

    int Blob(string text) => Blob(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>One blob per distinct content; the key is the bytes themselves (Latin-1 maps each byte to one char).</summary>
    int Blob(byte[] bytes)
    {
        var key = System.Text.Encoding.Latin1.GetString(bytes);
        if (!_blobs.TryGetValue(key, out var i))
            _blobs[key] = i = _program.AddBlob(bytes);
        return i;
    }

    Operand ToOperand(Body body, ValueExpr value, Abi abi, Step step) => value switch
    {
        IntValue i => Machines.Protocol.Operand.Imm(i.Value),
        SyscallNameValue n => Machines.Protocol.Operand.Imm(Number(step, abi, n.Name)),
        RuntimeValue { Kind: RuntimeValueKind.Null } => Machines.Protocol.Operand.Null,
        RuntimeValue { Kind: RuntimeValueKind.Bad } => Machines.Protocol.Operand.BadPtr,
        RuntimeValue { Kind: RuntimeValueKind.Pid } => Machines.Protocol.Operand.Pid,
        RuntimeValue { Kind: RuntimeValueKind.Tid } => Machines.Protocol.Operand.Tid,
        RuntimeValue { Kind: RuntimeValueKind.Ppid } => Machines.Protocol.Operand.Ppid,
        FprogPointerValue { Kind: RuntimeValueKind.Null } => Machines.Protocol.Operand.Null,
        FprogPointerValue => Machines.Protocol.Operand.BadPtr,
        BufferValue b => Machines.Protocol.Operand.Scratch(b.Offset),
        DataValue d => Machines.Protocol.Operand.Blob(Blob(d.Bytes)),
        FilterValue f => Machines.Protocol.Operand.FProg(FilterIndex(f.Filter, abi, step), f.Pointer switch
        {
            FilterPointer.Null => FProgPointer.Null,
            FilterPointer.Bad => FProgPointer.Unmapped,
            _ => FProgPointer.Real,
        }, f.Length),
        SavedValue s => Saved(body, s, step),
        _ => throw step.Pos.Error($"cannot pass {value} to the agent"),
    };

    Operand Saved(Body body, SavedValue s, Step step)
    {
        if (s.IsShared)
        {
            if (!_shared.TryGetValue(s.Name, out var si)) throw step.Pos.Error($"${s.Name} is used before any step saves it");
            if (s.Add == 0) return Machines.Protocol.Operand.Shared(si);
            body.Set(Id(step, _native, isInternal: true), Machines.Protocol.Dest.Reg(ScratchRegister), Machines.Protocol.Operand.Shared(si));
            return Machines.Protocol.Operand.RegPlus(ScratchRegister, s.Add);
        }
        if (!_registers.TryGetValue(s.Name, out var r)) throw step.Pos.Error($"${s.Name} is used before any step saves it");
        return s.Add == 0 ? Machines.Protocol.Operand.Reg(r) : Machines.Protocol.Operand.RegPlus(r, s.Add);
    }

    Dest DestOf(string? name, Step step)
    {
        if (name is null) return Machines.Protocol.Dest.None;
        if (name.StartsWith("shared.", StringComparison.Ordinal))
        {
            if (!_shared.TryGetValue(name, out var si))
            {
                if (_shared.Count == 16) throw step.Pos.Error("more than 16 shared saved names");
                _shared[name] = si = _shared.Count;
            }
            return Machines.Protocol.Dest.Shared(si);
        }
        if (!_registers.TryGetValue(name, out var r))
        {
            if (_registers.Count == ScratchRegister) throw step.Pos.Error($"more than {ScratchRegister} saved names");
            _registers[name] = r = _registers.Count;
        }
        return Machines.Protocol.Dest.Reg(r);
    }

    /// <summary>
    /// What a call records. PTRACE_SECCOMP_GET_FILTER returns one of this case's filters, so it records
    /// the longest of them and one instruction more (enough to see a wrong answer), not the 32 KiB a
    /// 4096-instruction program could take: every byte comes back over the serial line.
    /// </summary>
    int RecordLengthOf(CallStep call, Abi abi)
    {
        if (call.Meaning != RecordMeaning.FilterProgram || _case.Filters.Count == 0)
            return call.RecordLength;
        int longest = _case.Filters.Values.Max(f => Assembled(f, abi).Length);
        return Math.Min(call.RecordLength, (longest + 1) * 8);
    }

    Instruction[] Assembled(FilterSource source, Abi abi)
    {
        if (!_filters.TryGetValue((source.Name, abi), out var program))
            _assembled.TryGetValue((source.Name, abi), out program);
        return program ?? (_assembled[(source.Name, abi)] = Assemble(source, abi));
    }

    int FilterIndex(string name, Abi abi, Step step)
    {
        if (_filterIndex.TryGetValue((name, abi), out var i)) return i;
        var source = _case.Filters.TryGetValue(name, out var f) ? f : throw step.Pos.Error($"no filter '{name}'");
        var program = Assembled(source, abi);
        _filters[(name, abi)] = program;
        return _filterIndex[(name, abi)] = _program.AddFilter(program);
    }

    /// <summary>Assembles a filter for an ABI; errors point at the line inside the case file.</summary>
    public static Instruction[] Assemble(FilterSource source, Abi abi)
    {
        try
        {
            return Assembler.Assemble(FilterRepeat.Expand(source), new AssembleOptions { Abi = abi });
        }
        catch (FilterSyntaxException e)
        {
            var line = e.HasPosition ? source.Pos.Line + e.Line - 1 : source.Pos.Line;
            throw new CaseFormatException(source.Pos.File, line, e.HasPosition ? e.Column : source.Pos.Column,
                $"filter {source.Name} ({AuditArch.Name(abi)}): {e.Reason}");
        }
    }
}
