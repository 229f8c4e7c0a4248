using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Conformance.Machines.Vm;

/// <summary>
/// The byte streams a QEMU guest's agent session runs over. Without a port they are the serial
/// console as before. With the agent's virtio port (<see cref="AgentPort"/>), what the session
/// reads is the serial console and the port merged: the console's bytes as they come (kernel
/// text, or frames from an agent that fell back to the console), the port's frames one whole line
/// at a time, so a frame is never cut by console text. The session's writes go to the serial
/// console until the agent's HELO says it speaks on the port (<see cref="UsePort"/>).
/// </summary>
public sealed class AgentChannel : IAsyncDisposable
{
    readonly Channel<byte[]> _merged = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    readonly Socket? _socket;
    readonly NetworkStream? _port;
    readonly SwitchingStream _toGuest;
    readonly Task _serialPump, _portPump;
    readonly CancellationTokenSource _stop = new();

    AgentChannel(Stream serialOut, Stream serialIn, Socket? socket, ILogger logger)
    {
        _socket = socket;
        _port = socket is null ? null : new NetworkStream(socket, ownsSocket: false);
        _toGuest = new SwitchingStream(serialIn);
        FromGuest = new ChunkReadStream(_merged.Reader);
        _serialPump = PumpSerialAsync(serialOut);
        _portPump = _port is null ? Task.CompletedTask : PumpPortAsync(_port, logger);
    }

    /// <summary>What the session reads: console and port, merged.</summary>
    public Stream FromGuest { get; }

    /// <summary>Where the session writes: the console, or the port after <see cref="UsePort"/>.</summary>
    public Stream ToGuest => _toGuest;

    /// <summary>Whether a port is connected at all (QEMU was given one and the host reached its socket).</summary>
    public bool HasPort => _port is not null;

    /// <summary>
    /// Connects to the port's socket (QEMU creates it at start, before the guest runs), trying for
    /// up to <paramref name="connectTimeout"/> (IOException past that); without a socket path the
    /// channel is the serial console alone.
    /// </summary>
    public static async Task<AgentChannel> OpenAsync(Stream serialOut, Stream serialIn, string? socketPath, TimeSpan connectTimeout,
        ILogger logger, CancellationToken cancellationToken)
    {
        Socket? socket = null;
        if (socketPath is not null)
        {
            var deadline = DateTime.UtcNow + connectTimeout;
            while (true)
            {
                var candidate = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await candidate.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    socket = candidate;
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    candidate.Dispose();
                    await Task.Delay(20, cancellationToken);
                }
                catch (SocketException e)
                {
                    // The agent would block writing to a port no host listens on: a boot failure, not a fallback.
                    candidate.Dispose();
                    throw new IOException($"QEMU's socket for the agent port ({socketPath}) could not be reached within {connectTimeout.TotalSeconds:0} s: {e.Message}", e);
                }
            }
        }
        return new AgentChannel(serialOut, serialIn, socket, logger);
    }

    /// <summary>From now on the session's writes go to the port (the agent said HELO there).</summary>
    public void UsePort()
    {
        if (_port is null)
            throw new InvalidOperationException("the agent said it speaks on its port, but no port is connected");
        _toGuest.Target = _port;
    }

    async Task PumpSerialAsync(Stream serial)
    {
        var buffer = new byte[16384];
        try
        {
            int n;
            while ((n = await serial.ReadAsync(buffer, _stop.Token)) > 0)
                _merged.Writer.TryWrite(buffer.AsSpan(0, n).ToArray());
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
        // The console ends when QEMU does: so does the session's input.
        _merged.Writer.TryComplete();
    }

    async Task PumpPortAsync(Stream port, ILogger logger)
    {
        var buffer = new byte[65536];
        var line = new MemoryStream();
        try
        {
            int n;
            while ((n = await port.ReadAsync(buffer, _stop.Token)) > 0)
            {
                var data = buffer.AsSpan(0, n);
                int newline;
                while ((newline = data.IndexOf((byte)'\n')) >= 0)
                {
                    line.Write(data[..(newline + 1)]);
                    _merged.Writer.TryWrite(line.ToArray());
                    line.SetLength(0);
                    data = data[(newline + 1)..];
                }
                line.Write(data);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            logger.LogDebug("agent port closed: {Message}", e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _port?.Dispose();
        _socket?.Dispose();
        await Task.WhenAll(_serialPump, _portPump).ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>A write-only stream whose target can change between writes.</summary>
    sealed class SwitchingStream(Stream initial) : Stream
    {
        public volatile Stream Target = initial;
        public override void Write(byte[] buffer, int offset, int count) => Target.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => Target.Write(buffer);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => Target.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Target.WriteAsync(buffer, offset, count, cancellationToken);
        public override void Flush() => Target.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => Target.FlushAsync(cancellationToken);
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>A read-only stream over a channel of byte chunks; ends when the channel completes.</summary>
    sealed class ChunkReadStream(ChannelReader<byte[]> chunks) : Stream
    {
        byte[] _current = [];
        int _at;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_at == _current.Length)
            {
                if (!await chunks.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                    return 0;
                if (chunks.TryRead(out var next))
                {
                    _current = next;
                    _at = 0;
                }
            }
            var n = Math.Min(buffer.Length, _current.Length - _at);
            _current.AsMemory(_at, n).CopyTo(buffer);
            _at += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
