using System.Diagnostics;
using System.Text;
using Conformance.Machines.Host;
using Conformance.Machines.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Host;

/// <summary>
/// The real agent behind a stream that splices a kernel message into the middle of its first
/// result line, as a serial console does: the session must ask for the frame again and the
/// agent must resend it from its batch buffer.
/// </summary>
[TestFixture, Category("Host"), NonParallelizable]
public class ConsoleNoiseTests
{
    sealed class SplicingStream(Stream inner, string noise) : Stream
    {
        readonly byte[] _noise = Encoding.ASCII.GetBytes(noise);
        readonly Queue<byte> _pending = new();
        bool _spliced, _inResult;
        int _resultBytes;
        readonly List<byte> _line = [];

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            while (_pending.Count == 0)
            {
                var chunk = new byte[4096];
                int n = await inner.ReadAsync(chunk, ct);
                if (n == 0) return 0;
                foreach (var b in chunk.AsSpan(0, n).ToArray())
                {
                    _pending.Enqueue(b);
                    if (_spliced) continue;
                    _line.Add(b);
                    if (b == '\n') { _line.Clear(); continue; }
                    if (!_inResult && Encoding.ASCII.GetString(_line.ToArray()).EndsWith("@@CF1 RSL")) _inResult = true;   // RSLT or its compressed form RSLZ
                    if (_inResult && ++_resultBytes == 40)
                    {
                        foreach (var x in _noise) _pending.Enqueue(x);
                        _spliced = true;
                    }
                }
            }
            int count = 0;
            while (count < buffer.Length && _pending.Count > 0) buffer.Span[count++] = _pending.Dequeue();
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public bool Spliced => _spliced;
    }

    [Test]
    public async Task A_result_line_broken_by_a_kernel_message_is_resent_by_the_agent()
    {
        var psi = new ProcessStartInfo(AgentBinaries.Agent("x86_64"), ["--serve"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        using var agent = Process.Start(psi)!;
        var splicer = new SplicingStream(agent.StandardOutput.BaseStream, "\r\n[   42.000000] WARNING: CPU: 0 PID: 1 at mm/foo.c:12\r\n");
        var console = new StringBuilder();
        await using var session = await AgentSession.ConnectAsync(splicer, agent.StandardInput.BaseStream,
            t => { lock (console) console.Append(t); }, TimeSpan.FromSeconds(20), NullLogger.Instance, CancellationToken.None);

        var p = new ProgramBuilder();
        p.Root(b => b.Mark(1, 0xabcdef));
        var results = new List<CaseResult>();
        await foreach (var r in session.RunAsync([new CaseRequest(1, TimeSpan.FromSeconds(10), p.Build())], CancellationToken.None))
            results.Add(r);
        await session.QuitAsync(CancellationToken.None);

        Assert.That(splicer.Spliced, Is.True, "the noise went into the result line");
        Assert.That(results.Single().Of<MarkObservation>().Single().Value, Is.EqualTo(0xabcdefu));
        Assert.That(console.ToString(), Does.Contain("WARNING: CPU: 0 PID: 1"));
        Assert.That(agent.WaitForExit(10_000), Is.True);
        Assert.That(agent.ExitCode, Is.Zero, "QUIT ends the host agent with 0");
    }
}
