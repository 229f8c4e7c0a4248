using System.Text;

namespace Conformance.Fuzzing;

/// <summary>
/// Console text of retired machines for console.log, at most <paramref name="limit"/> bytes: when
/// a long run passes it the oldest half is dropped, so the disk never fills with boot logs.
/// </summary>
public sealed class BoundedLog(string path, long limit)
{
    readonly object _lock = new();
    readonly StringBuilder _text = new();

    public void Append(string text)
    {
        lock (_lock)
        {
            _text.Append(text);
            if (_text.Length > limit)
                _text.Remove(0, _text.Length - (int)(limit / 2));
            File.WriteAllText(path, _text.ToString());
        }
    }

    public void Flush()
    {
        lock (_lock)
            File.WriteAllText(path, _text.ToString());
    }
}
