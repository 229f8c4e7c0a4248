using System.Text;

namespace Conformance.Machines.Protocol;

/// <summary>
/// Splits the guest's byte stream into frames and console text. Kernel messages can land at any
/// byte, so text outside frames is passed on as it arrives, except a partial line that may be
/// the start of a frame, which is held until its newline decides it. A line holding the magic
/// that does not parse is reported as corrupt (the session then asks for the frame again).
/// </summary>
public sealed class FrameScanner(Action<Frame> onFrame, Action<string> onText, Action<string, uint?> onCorrupt)
{
    byte[] _buf = new byte[4096];
    int _len;
    int _newlineSearchFrom;
    readonly Decoder _text = new UTF8Encoding(false, false).GetDecoder();

    public void Feed(ReadOnlySpan<byte> data)
    {
        Append(data);
        while (true)
        {
            var span = _buf.AsSpan(0, _len);
            int nl = span[_newlineSearchFrom..].IndexOf((byte)'\n');
            if (nl >= 0)
            {
                nl += _newlineSearchFrom;
                var line = span[..nl];
                int m = line.IndexOf(FrameCodec.MagicBytes);
                if (m < 0)
                    EmitText(span[..(nl + 1)]);
                else
                {
                    if (m > 0) EmitText(line[..m]);
                    var frame = FrameCodec.TryParse(line[m..], out var error, out var seq);
                    if (frame != null) onFrame(frame);
                    else onCorrupt(error!, seq);
                }
                Consume(nl + 1);
                continue;
            }
            _newlineSearchFrom = _len;
            int magic = span.IndexOf(FrameCodec.MagicBytes);
            if (magic >= 0)
            {
                if (magic > 0) { EmitText(span[..magic]); Consume(magic); }
            }
            else
            {
                int hold = HeldSuffix(span);
                if (_len - hold > 0) { EmitText(span[..(_len - hold)]); Consume(_len - hold); }
            }
            _newlineSearchFrom = _len;
            return;
        }
    }

    /// <summary>Text still held because it might begin a frame (given out at end of stream).</summary>
    public void Flush()
    {
        if (_len > 0) { EmitText(_buf.AsSpan(0, _len)); Consume(_len); }
        var tail = new char[8];
        int n = _text.GetChars([], 0, 0, tail, 0, flush: true);
        if (n > 0) onText(new string(tail, 0, n));
    }

    /// <summary>The length of the longest suffix of the line that is a proper prefix of the magic.</summary>
    static int HeldSuffix(ReadOnlySpan<byte> span)
    {
        var magic = FrameCodec.MagicBytes;
        for (int k = Math.Min(magic.Length - 1, span.Length); k > 0; k--)
            if (span[^k..].SequenceEqual(magic.AsSpan(0, k)))
                return k;
        return 0;
    }

    void EmitText(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        var chars = new char[_text.GetCharCount(bytes, flush: false)];
        int n = _text.GetChars(bytes, chars, flush: false);
        if (n > 0) onText(new string(chars, 0, n));
    }

    void Append(ReadOnlySpan<byte> data)
    {
        if (_len + data.Length > _buf.Length)
            Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + data.Length));
        data.CopyTo(_buf.AsSpan(_len));
        _len += data.Length;
    }

    void Consume(int n)
    {
        Buffer.BlockCopy(_buf, n, _buf, 0, _len - n);
        _len -= n;
        _newlineSearchFrom = Math.Max(0, _newlineSearchFrom - n);
    }
}
