using Conformance.Machines.Protocol;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Tests.Host;

/// <summary>
/// Batches reach the agent compressed (RUNZ) and its own inflater must give back every byte:
/// incompressible data (stored blocks), repetitive filters (dynamic Huffman codes) and tiny
/// programs (fixed codes) in one batch.
/// </summary>
[Category("Host"), NonParallelizable]
public class CompressedBatchTests : HostAgentFixture
{
    [Test]
    public void The_agent_says_it_takes_compressed_batches() =>
        Assert.That(Session.Hello.TakesCompressedBatches, Is.True);

    [Test]
    public async Task Every_kind_of_deflate_block_arrives_intact()
    {
        var rng = new Random(7);
        var programs = new List<byte[]>();
        for (int i = 0; i < 40; i++)
        {
            var p = new ProgramBuilder();
            var noise = new byte[i % 4 == 0 ? 3000 : 16];
            rng.NextBytes(noise);
            noise[^1] = 0;
            p.AddBlob(noise);
            var filter = Enumerable.Repeat(new Instruction(0x20, 0, 0, 4), i * 50).Append(new Instruction(0x06, 0, 0, SeccompRet.Allow)).ToArray();
            p.AddFilter(filter);
            var value = (uint)rng.Next();
            p.Root(b => b.Mark(1, value).Mark(2, (uint)filter.Length));
            programs.Add(p.Build());
        }
        var compressed = BatchCompression.Compress(BatchEncoder.Encode(1, programs.Select((p, i) => new CaseRequest((uint)i, TimeSpan.FromSeconds(5), p)).ToList()));
        Assert.That(BatchCompression.Decompress(compressed), Is.EqualTo(BatchEncoder.Encode(1, programs.Select((p, i) => new CaseRequest((uint)i, TimeSpan.FromSeconds(5), p)).ToList())));

        var results = await RunMany(programs);
        Assert.That(results, Has.Count.EqualTo(40));
        for (int i = 0; i < 40; i++)
        {
            Assert.That(results[i].AgentError, Is.False, $"case {i}: {string.Join("; ", results[i].Observations.OfType<ErrorObservation>().Select(e => e.Message))}");
            var marks = results[i].Observations.OfType<MarkObservation>().Select(m => m.Value).ToList();
            Assert.That(marks[1], Is.EqualTo((uint)(i * 50 + 1)), $"case {i}");
        }
    }
}
