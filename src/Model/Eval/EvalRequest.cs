using System.Text.Json;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Model.Eval;

/// <summary>One input line of `conformance eval`: a system call and the filters installed before it.</summary>
public sealed record EvalRequest(Abi Abi, SeccompData Data, IReadOnlyList<Instruction[]> Filters)
{
    /// <summary>Parses one JSON line; throws <see cref="FormatException"/> with a message for the output's "error".</summary>
    public static EvalRequest Parse(ReadOnlySpan<byte> utf8Line)
    {
        var reader = new Utf8JsonReader(utf8Line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            return ParseObject(ref reader);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not valid JSON: {e.Message}");
        }
    }

    static EvalRequest ParseObject(ref Utf8JsonReader r)
    {
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            throw new FormatException("expected a JSON object");
        Abi? abi = null;
        long? nr = null;
        ulong ip = 0;
        ulong[] args = new ulong[6];
        List<Instruction[]>? filters = null;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            if (r.TokenType != JsonTokenType.PropertyName)
                throw new FormatException("expected a property name");
            if (r.ValueTextEquals("arch"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.String || !AuditArch.TryParseAbi(r.GetString()!, out var a) || a == Abi.X32)
                    throw new FormatException("\"arch\" must be one of \"x86_64\", \"aarch64\", \"i386\", \"arm\"");
                abi = a;
            }
            else if (r.ValueTextEquals("nr"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.Number || !r.TryGetInt64(out var n) || n < int.MinValue || n > uint.MaxValue)
                    throw new FormatException("\"nr\" must be an integer that fits 32 bits");
                nr = n;
            }
            else if (r.ValueTextEquals("ip"u8))
            {
                r.Read();
                ip = ReadU64(ref r, "ip");
            }
            else if (r.ValueTextEquals("args"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.StartArray)
                    throw new FormatException("\"args\" must be an array of up to 6 integers");
                int i = 0;
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    if (i == 6) throw new FormatException("\"args\" has more than 6 elements");
                    args[i] = ReadU64(ref r, $"args[{i}]");
                    i++;
                }
            }
            else if (r.ValueTextEquals("filters"u8))
            {
                r.Read();
                filters = ReadFilters(ref r);
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }
        if (abi is null) throw new FormatException("missing \"arch\"");
        if (nr is null) throw new FormatException("missing \"nr\"");
        if (filters is null) throw new FormatException("missing \"filters\"");
        var data = new SeccompData((int)(uint)nr.Value, AuditArch.Of(abi.Value), ip, args);
        return new EvalRequest(abi.Value, data, filters);
    }

    /// <summary>Unsigned 64-bit; a negative integer is taken as its two's complement (-1 = 0xffff...).</summary>
    static ulong ReadU64(ref Utf8JsonReader r, string what)
    {
        if (r.TokenType == JsonTokenType.Number)
        {
            if (r.TryGetUInt64(out var u)) return u;
            if (r.TryGetInt64(out var s)) return (ulong)s;
        }
        throw new FormatException($"\"{what}\" must be an integer within 64 bits");
    }

    static List<Instruction[]> ReadFilters(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartArray)
            throw new FormatException("\"filters\" must be an array of filters");
        var filters = new List<Instruction[]>();
        var insns = new List<Instruction>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            int f = filters.Count;
            if (r.TokenType != JsonTokenType.StartArray)
                throw new FormatException($"filters[{f}] must be an array of [code, jt, jf, k]");
            insns.Clear();
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                int i = insns.Count;
                if (r.TokenType != JsonTokenType.StartArray)
                    throw new FormatException($"filters[{f}][{i}] must be [code, jt, jf, k]");
                var code = ReadField(ref r, f, i, "code", ushort.MaxValue);
                var jt = ReadField(ref r, f, i, "jt", byte.MaxValue);
                var jf = ReadField(ref r, f, i, "jf", byte.MaxValue);
                var k = ReadField(ref r, f, i, "k", uint.MaxValue);
                if (!r.Read() || r.TokenType != JsonTokenType.EndArray)
                    throw new FormatException($"filters[{f}][{i}] must have exactly 4 elements");
                insns.Add(new Instruction((ushort)code, (byte)jt, (byte)jf, (uint)k));
            }
            filters.Add(insns.ToArray());
        }
        return filters;
    }

    static ulong ReadField(ref Utf8JsonReader r, int f, int i, string name, ulong max)
    {
        if (!r.Read() || r.TokenType != JsonTokenType.Number || !r.TryGetUInt64(out var v) || v > max)
            throw new FormatException($"filters[{f}][{i}]: {name} must be an integer 0..{max}");
        return v;
    }
}
