namespace Conformance.Model.Eval;

/// <summary>
/// Splits a byte stream into lines without decoding to strings (eval must handle 100k lines in
/// seconds). Every line is returned, empty ones too, so answers pair with inputs by position;
/// only the empty remainder after a final newline is not a line.
/// </summary>
public static class Lines
{
    public static IEnumerable<ReadOnlyMemory<byte>> Read(Stream input)
    {
        var buffer = new byte[1 << 16];
        int start = 0, end = 0;
        while (true)
        {
            int nl = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            if (nl >= 0)
            {
                var line = Trim(buffer.AsMemory(start, nl - start));
                start = nl + 1;
                yield return line;
                continue;
            }
            // No complete line left: keep the partial one and read more.
            if (start > 0)
            {
                Array.Copy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == buffer.Length)
                Array.Resize(ref buffer, buffer.Length * 2);
            int n = input.Read(buffer, end, buffer.Length - end);
            if (n == 0)
            {
                var last = Trim(buffer.AsMemory(0, end));
                if (last.Length > 0) yield return last;
                yield break;
            }
            end += n;
        }
    }

    static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> line)
    {
        var s = line.Span;
        int a = 0, b = s.Length;
        while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r')) a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) b--;
        return line.Slice(a, b - a);
    }
}
