using System.Text;
using System.Threading.Channels;
using Conformance.Machines.Protocol;

namespace Conformance.Tests.Executor;

/// <summary>One direction of an in-memory byte stream.</summary>
sealed class ByteChannelStream : Stream
{
    readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>();
    byte[] _current = [];
    int _pos;

    public void Complete() => _chunks.Writer.TryComplete();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        while (_pos == _current.Length)
        {
            if (!await _chunks.Reader.WaitToReadAsync(ct)) return 0;
            if (_chunks.Reader.TryRead(out var next)) { _current = next; _pos = 0; }
        }
        int n = Math.Min(buffer.Length, _current.Length - _pos);
        _current.AsMemory(_pos, n).CopyTo(buffer);
        _pos += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => _chunks.Writer.TryWrite(buffer.AsSpan(offset, count).ToArray());
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) { _chunks.Writer.TryWrite(buffer.ToArray()); return ValueTask.CompletedTask; }
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) { Write(buffer, offset, count); return Task.CompletedTask; }
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask;
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>A scripted agent: the test writes its output bytes and reads the host's frames.</summary>
sealed class FakeGuest
{
    public readonly ByteChannelStream ToHost = new(), FromHost = new();
    readonly List<byte> _pending = [];
    uint _seq;

    public uint NextSeq => _seq;

    public void Raw(string text) => ToHost.Write(Encoding.ASCII.GetBytes(text));

    /// <summary>The line for the next frame (not sent yet), so a test can damage it.</summary>
    public string NextLine(string type, byte[] payload) => Encoding.ASCII.GetString(FrameCodec.Encode(type, _seq++, payload));

    public void Send(string type, byte[] payload) => Raw(NextLine(type, payload));

    public void Hello() => Send(FrameType.Hello, new PayloadWriter().U32(AgentSession.ProtocolVersion).U32(0).Str("fake").Str("x86_64").Str("6.1.0").Str("#1")
        .I32(42).U64(123).Str("i386").ToArray());

    public static byte[] Result(uint batch, uint caseId, uint mark)
    {
        var rec = new PayloadWriter().U16(24).U8(8).U8(0).U16(1).U16(0).I32(7).I32(7).U32(mark).U32(0).ToArray();
        return new PayloadWriter().U32(batch).U32(caseId).U32(0).I32(0).U32(10).U32((uint)rec.Length).Bytes(rec).ToArray();
    }

    /// <summary>A result holding one system call record per (step, return value), as the feature probe's answers.</summary>
    public static byte[] Returns(uint batch, uint caseId, IEnumerable<(ushort Step, long Ret)> calls)
    {
        var log = new PayloadWriter();
        foreach (var (step, ret) in calls)
            log.U16(32).U8(2).U8(0).U16(step).U16(0).I32(7).I32(7).I64(ret).U16(0).U16(0).U32(0);
        var rec = log.ToArray();
        return new PayloadWriter().U32(batch).U32(caseId).U32(0).I32(0).U32(10).U32((uint)rec.Length).Bytes(rec).ToArray();
    }

    public static byte[] Error(AgentErrorCode code, string message) => new PayloadWriter().U32((uint)code).Str(message).ToArray();

    public static byte[] Done(uint batch, uint count) => new PayloadWriter().U32(batch).U32(count).ToArray();

    public async Task<Frame> ReadFrameAsync()
    {
        var buf = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            int nl = _pending.IndexOf((byte)'\n');
            if (nl >= 0)
            {
                var line = _pending.Take(nl).ToArray();
                _pending.RemoveRange(0, nl + 1);
                return FrameCodec.TryParse(line, out var error, out _) ?? throw new InvalidDataException($"host sent a bad frame: {error}");
            }
            int n = await FromHost.ReadAsync(buf, timeout.Token);
            if (n == 0) throw new EndOfStreamException("host closed");
            _pending.AddRange(buf.AsSpan(0, n).ToArray());
        }
    }
}
