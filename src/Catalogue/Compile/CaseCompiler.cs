using Conformance.Machines.Protocol;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Steps;
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

    internal void EmitAll(Body body, IReadOnlyList<Step> steps, Abi abi)
    {
        foreach (var step in steps)
            if (step.When is not { } when || when.Holds(_features, _arch, _kernel))
                Emit(body, step, abi);
    }

    internal ushort Id(Step step, Abi abi, int? nr = null, bool isInternal = false)
    {
        if (_nextId == Body.RootStep) throw step.Pos.Error("the case has too many steps");
        var id = _nextId++;
        _steps[id] = new StepInfo(id, step, abi, nr) { Internal = isInternal };
        return id;
    }

    /// <summary>Each kind knows its own agent steps (src/Catalogue/Steps/Kinds).</summary>
    void Emit(Body body, Step step, Abi abi) => step.Kind.Emit(this, body, step, abi);

    internal KernelFeatures? Features => _features;
    internal Abi NativeAbi => _native;
    internal Abi CompatAbi => _compat;

    /// <summary>A call step of any call kind; the kind adapts the call, prepares its struct and adds steps after it.</summary>
    internal void EmitCall(Body body, CallStep call, Abi actorAbi, CallStepKind kind)
    {
        // `abi: compat` from the native x86_64 agent goes through int $0x80 with i386 numbers.
        var abi = call.Compat ? _compat : actorAbi;
        if (call.Compat && (_native != Abi.X86_64 || actorAbi != Abi.X86_64))
            throw call.Pos.Error("abi: compat calls are int $0x80 from x86_64; on arm64 use exec32 to run AArch32 code");
        var written = call;
        call = kind.Adapt(this, call);
        int nr = call.Nr switch
        {
            SyscallNameValue n => Number(call, abi, n.Name),
            IntValue i => (int)i.Value,
            _ => throw call.Pos.Error("a call's number must be a name or an integer"),
        };
        var id = Id(written, abi, nr);
        if (!ReferenceEquals(written, call))
            _steps[id] = _steps[id] with { Made = call };
        foreach (var store in kind.Prepare(this, call))
            body.Store(id, store.Width, Operand.Scratch(store.Offset), ToOperand(body, store.Value, abi, call));
        var args = call.Args.Select(a => ToOperand(body, a, abi, call)).ToList();
        body.Call(id, nr, args, DestOf(call.Save, call), call.Compat ? CallAbi.Compat : CallAbi.Native,
            (ushort)RecordLengthOf(call, abi), call.RecordAt is null ? null : ToOperand(body, call.RecordAt, abi, call));
        kind.AfterCall(this, body, id, call);
    }

    internal int Number(Step step, Abi abi, string name)
    {
        if (SyscallTable.TryGetNumber(abi, name, out var nr)) return nr;
        // 32-bit ABIs name the uid calls with a 32 suffix (setresuid32).
        if (SyscallTable.TryGetNumber(abi, name + "32", out nr)) return nr;
        throw step.Pos.Error($"no system call '{name}' on {AuditArch.Name(abi)}");
    }

    internal int Blob(string text) => Blob(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>One blob per distinct content; the key is the bytes themselves (Latin-1 maps each byte to one char).</summary>
    int Blob(byte[] bytes)
    {
        var key = System.Text.Encoding.Latin1.GetString(bytes);
        if (!_blobs.TryGetValue(key, out var i))
            _blobs[key] = i = _program.AddBlob(bytes);
        return i;
    }

    internal Operand ToOperand(Body body, ValueExpr value, Abi abi, Step step) => value switch
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

    internal Dest DestOf(string? name, Step step)
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
