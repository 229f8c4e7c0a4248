using System.Text;

namespace Conformance.Machines.Vm;

/// <summary>
/// The host-to-guest half of the serial line, watching for the agent protocol's QUIT frame on its
/// way out. A guest that ends after QUIT rebooted as asked; one that ends without it crashed or
/// was killed, and QEMU's exit code (0 either way) cannot tell the two apart.
/// </summary>
public sealed class QuitWatchingStream(Stream inner) : Stream
{
    static readonly byte[] QuitFrame = Encoding.ASCII.GetBytes("@@CF1 QUIT ");
    int _matched;   // bytes of QuitFrame matched at the end of what was written so far
    volatile bool _quitSent;

    /// <summary>True once a QUIT frame has been written to the guest.</summary>
    public bool QuitSent => _quitSent;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Watch(buffer);
        inner.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Watch(buffer.Span);
        await inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void WriteByte(byte value) => Write([value]);

    void Watch(ReadOnlySpan<byte> data)
    {
        // A tiny matcher that survives a frame split across writes. The magic has no repeated
        // prefix ('@' '@' restarts at 1 or 2), so on a mismatch restart on the current byte.
        foreach (var b in data)
        {
            if (b == QuitFrame[_matched])
            {
                if (++_matched == QuitFrame.Length)
                {
                    _quitSent = true;
                    _matched = 0;
                }
            }
            else
            {
                _matched = b == QuitFrame[0] ? (_matched == 2 && b == '@' ? 2 : 1) : 0;
            }
        }
    }

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
