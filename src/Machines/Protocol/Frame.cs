using System.Globalization;
using System.Text;

namespace Conformance.Machines.Protocol;

/// <summary>One decoded frame (docs/agent-protocol.md §1).</summary>
public sealed record Frame(string Type, uint Seq, byte[] Payload);

/// <summary>Frame type names.</summary>
public static class FrameType
{
    public const string Hello = "HELO", Ping = "PING", Pong = "PONG", RunBatch = "RUNB", RunCompressed = "RUNZ", Result = "RSLT", ResultCompressed = "RSLZ",
        Done = "DONE", Resend = "RSND", Error = "ERRR", Quit = "QUIT";
}

/// <summary>Builds and parses the one-line frame format "@@CF1 TYPE SEQ LEN CRC BASE64\n".</summary>
public static class FrameCodec
{
    public const string Magic = "@@CF1 ";
    public static readonly byte[] MagicBytes = Encoding.ASCII.GetBytes(Magic);

    public static byte[] Encode(string type, uint seq, ReadOnlySpan<byte> payload)
    {
        if (type.Length != 4 || type.Any(c => c is < 'A' or > 'Z'))
            throw new ArgumentException($"frame type must be four upper-case letters, got '{type}'", nameof(type));
        var b64 = payload.IsEmpty ? "-" : Convert.ToBase64String(payload);
        var line = $"{Magic}{type} {seq.ToString(CultureInfo.InvariantCulture)} {payload.Length.ToString(CultureInfo.InvariantCulture)} {Crc32.Compute(payload):x8} {b64}\n";
        return Encoding.ASCII.GetBytes(line);
    }

    /// <summary>
    /// Parses the frame text that starts at the magic (no newline). Returns null with a reason
    /// when the line is corrupt; <paramref name="seq"/> is set when the header got that far.
    /// </summary>
    public static Frame? TryParse(ReadOnlySpan<byte> line, out string? error, out uint? seq)
    {
        seq = null;
        while (!line.IsEmpty && (line[^1] == (byte)'\r' || line[^1] == (byte)' '))
            line = line[..^1];
        if (!line.StartsWith(MagicBytes)) { error = "no magic"; return null; }
        var text = Encoding.ASCII.GetString(line[MagicBytes.Length..]);
        var parts = text.Split(' ');
        // The sequence number comes first so that a line damaged further on still says which
        // frame to ask for again.
        if (parts.Length < 2 || !uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var s))
        { error = $"bad sequence number '{(parts.Length > 1 ? parts[1] : "")}'"; return null; }
        seq = s;
        if (parts.Length != 5) { error = $"expected 5 fields after the magic, found {parts.Length}"; return null; }
        var type = parts[0];
        if (type.Length != 4 || type.Any(c => c is < 'A' or > 'Z')) { error = $"bad type '{type}'"; return null; }
        if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var len)) { error = $"bad length '{parts[2]}'"; return null; }
        if (parts[3].Length != 8 || !uint.TryParse(parts[3], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var crc)
            || parts[3].Any(char.IsUpper))
        { error = $"bad crc field '{parts[3]}'"; return null; }
        byte[] payload;
        if (parts[4] == "-") payload = [];
        else
        {
            try { payload = Convert.FromBase64String(parts[4]); }
            catch (FormatException) { error = "bad base64"; return null; }
            if (payload.Length == 0) { error = "empty base64 (an empty payload is '-')"; return null; }
        }
        if (payload.Length != len) { error = $"length {payload.Length} does not match the header's {len}"; return null; }
        if (Crc32.Compute(payload) != crc) { error = "crc mismatch"; return null; }
        error = null;
        return new Frame(type, s, payload);
    }
}
