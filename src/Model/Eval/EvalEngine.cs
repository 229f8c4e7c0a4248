using System.Buffers;
using System.Text;
using System.Text.Json;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Task;

namespace Conformance.Model.Eval;

/// <summary>
/// The `eval` contract: JSON Lines in, one JSON line out per input line, in order. Each line's
/// filters are installed by the one install model (<see cref="SeccompInstall"/>: seccomp(2), or
/// prctl where the profile has no seccomp(2), with no flags, for a task with no_new_privs).
/// Filters are checked and decoded once and reused across lines (fuzzers send the same stack many times).
/// </summary>
public sealed class EvalEngine(KernelProfile profile)
{
    const int CacheLimit = 8192;
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    readonly Dictionary<ProgramKey, LoadedFilter> _cache = new();
    readonly KernelDescription _kernel = new(profile);

    public KernelProfile Profile { get; } = profile;

    /// <summary>Evaluates every line of <paramref name="input"/>; returns the number of lines.</summary>
    public long Run(Stream input, Stream output)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        long lines = 0;
        foreach (var line in Lines.Read(input))
        {
            lines++;
            writer.Reset();
            buffer.ResetWrittenCount();
            WriteAnswer(line.Span, writer);
            writer.Flush();
            output.Write(buffer.WrittenSpan);
            output.WriteByte((byte)'\n');
        }
        output.Flush();
        return lines;
    }

    /// <summary>The answer line for one request, as a string (for tests and single calls).</summary>
    public string Answer(string line)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            WriteAnswer(Encoding.UTF8.GetBytes(line), writer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    void WriteAnswer(ReadOnlySpan<byte> line, Utf8JsonWriter w)
    {
        EvalRequest request;
        if (line.IsEmpty)
        {
            WriteError(w, "empty line");
            return;
        }
        try
        {
            request = EvalRequest.Parse(line);
        }
        catch (FormatException e)
        {
            WriteError(w, e.Message);
            return;
        }

        var task = new TaskState(request.Abi, Profile) { NoNewPrivs = true };
        // The answer names filters by their place in the input, attached or not.
        Span<int> inputIndexOfAttached = request.Filters.Count <= 64 ? stackalloc int[64] : new int[request.Filters.Count];
        w.WriteStartObject();
        w.WriteStartArray("install");
        for (int f = 0; f < request.Filters.Count; f++)
        {
            var program = request.Filters[f];
            var install = InstallRequest.Plain(_kernel.PlainInstall, program) with { Prepared = Load(program) };
            (task, var outcome) = SeccompInstall.Apply(task, _kernel, install);
            if (outcome.Accepted)
                inputIndexOfAttached[task.Chain.Count - 1] = f;
            w.WriteNumberValue(outcome.Errno);
        }
        w.WriteEndArray();
        var verdict = task.Chain.Evaluate(request.Data);
        w.WriteString("action", SeccompRet.Name(verdict.Action));
        w.WriteNumber("data", verdict.Data);
        w.WriteNumber("ret", verdict.Ret);
        w.WriteNumber("filter", verdict.Filter < 0 ? -1 : inputIndexOfAttached[verdict.Filter]);
        w.WriteEndObject();
    }

    static void WriteError(Utf8JsonWriter w, string message)
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    }

    LoadedFilter Load(Instruction[] program)
    {
        var key = new ProgramKey(program);
        if (_cache.TryGetValue(key, out var hit))
            return hit;
        var loaded = LoadedFilter.Load(program, Profile);
        if (_cache.Count >= CacheLimit)
            _cache.Clear();
        _cache[key] = loaded;
        return loaded;
    }

    /// <summary>Value identity for a program, for the cache.</summary>
    readonly struct ProgramKey(Instruction[] program) : IEquatable<ProgramKey>
    {
        readonly Instruction[] _program = program;
        readonly int _hash = Hash(program);

        static int Hash(Instruction[] p)
        {
            var h = new HashCode();
            h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.AsSpan()));
            return h.ToHashCode();
        }

        public bool Equals(ProgramKey other) => _hash == other._hash && _program.AsSpan().SequenceEqual(other._program);
        public override bool Equals(object? obj) => obj is ProgramKey k && Equals(k);
        public override int GetHashCode() => _hash;
    }
}
