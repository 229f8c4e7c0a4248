using System.Text;
using Conformance.Model.Bpf;

namespace Conformance.Machines.Protocol;

/// <summary>
/// Builds a case program (docs/agent-protocol.md §3): filters, data blobs and the root body.
/// <code>
/// var p = new ProgramBuilder();
/// int f = p.AddFilter(insns);
/// p.Root(b => b.Syscall(1, Nr.prctl, Dest.None, PR_SET_NO_NEW_PRIVS, 1)
///              .Syscall(2, Nr.prctl, Dest.Reg(0), PR_SET_SECCOMP, 2, Operand.FProg(f)));
/// byte[] bytes = p.Build();
/// </code>
/// </summary>
public sealed class ProgramBuilder
{
    public const uint Magic = 0x31504643;
    /// <summary>The largest program the agent accepts.</summary>
    public const int MaxProgramLength = 1 << 20;
    public const int MaxFilters = 1024;
    public const int MaxBlobs = 4096;

    readonly List<Instruction[]> _filters = [];
    readonly List<byte[]> _blobs = [];
    Body? _root;

    public IReadOnlyList<Instruction[]> Filters => _filters;
    public IReadOnlyList<byte[]> Blobs => _blobs;

    /// <summary>Adds a filter; returns its index for <see cref="Operand.FProg"/>. Any length 0..65535 is allowed (the kernel judges).</summary>
    public int AddFilter(IReadOnlyList<Instruction> instructions)
    {
        if (instructions.Count > ushort.MaxValue) throw new ArgumentException("a filter has at most 65535 instructions here", nameof(instructions));
        if (_filters.Count == MaxFilters) throw new InvalidOperationException($"at most {MaxFilters} filters");
        _filters.Add([.. instructions]);
        return _filters.Count - 1;
    }

    /// <summary>Adds a data blob; returns its index for <see cref="Operand.Blob"/>.</summary>
    public int AddBlob(ReadOnlySpan<byte> data)
    {
        if (_blobs.Count == MaxBlobs) throw new InvalidOperationException($"at most {MaxBlobs} blobs");
        _blobs.Add(data.ToArray());
        return _blobs.Count - 1;
    }

    /// <summary>Adds a NUL-terminated UTF-8 string as a blob (paths for openat, READ_FILE).</summary>
    public int AddString(string s) => AddBlob(Encoding.UTF8.GetBytes(s + "\0"));

    /// <summary>Writes the root body (the case root's step list). Calling it again appends.</summary>
    public ProgramBuilder Root(Action<Body> build)
    {
        _root ??= new Body();
        build(_root);
        return this;
    }

    /// <summary>Encodes the program; checks what the agent would reject (indices, sizes).</summary>
    public byte[] Build()
    {
        var root = _root ?? new Body();
        foreach (var o in root.Operands)
        {
            if (o.BlobIndex >= 0)
            {
                if (o.BlobIndex >= _blobs.Count)
                    throw new InvalidOperationException($"operand {o} names blob {o.BlobIndex}, but the program has {_blobs.Count} blobs");
                if (o.BlobOffset > _blobs[o.BlobIndex].Length)
                    throw new InvalidOperationException($"operand {o} points past blob {o.BlobIndex} ({_blobs[o.BlobIndex].Length} bytes)");
            }
            if (o.FilterIndex >= _filters.Count)
                throw new InvalidOperationException($"operand {o} names filter {o.FilterIndex}, but the program has {_filters.Count} filters");
        }
        foreach (var f in root.FilterIndices)
            if (f >= _filters.Count)
                throw new InvalidOperationException($"a FUZZ stack names filter {f}, but the program has {_filters.Count} filters");
        var w = new PayloadWriter();
        w.U32(Magic).U16((ushort)_filters.Count);
        foreach (var f in _filters)
        {
            w.U16((ushort)f.Length);
            foreach (var i in f) w.U16(i.Code).U8(i.Jt).U8(i.Jf).U32(i.K);
        }
        w.U16((ushort)_blobs.Count);
        foreach (var b in _blobs) w.U32((uint)b.Length).Bytes(b);
        w.U32((uint)root.Bytes.Length).Bytes(root.Bytes.ToArray());
        if (w.Length > MaxProgramLength)
            throw new InvalidOperationException($"program is {w.Length} bytes; the agent accepts at most {MaxProgramLength}");
        return w.ToArray();
    }
}
