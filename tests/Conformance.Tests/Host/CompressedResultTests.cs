using Conformance.Machines.Protocol;

namespace Conformance.Tests.Host;

/// <summary>
/// Results come back compressed (RSLZ) through the agent's own deflater: every record must arrive
/// as written, over matches of every length and distance the format has.
/// </summary>
[Category("Host"), NonParallelizable]
public class CompressedResultTests : HostAgentFixture
{
    [Test]
    public void The_agent_says_it_compresses_results() =>
        Assert.That(Session.Hello.SendsCompressedResults, Is.True);

    [Test]
    public async Task A_long_result_of_repeats_and_noise_arrives_intact()
    {
        // Runs of one value (long matches), values seen a while ago (far matches) and noise
        // (literals), over about 100 KB of records: past the 32 KiB window.
        var rng = new Random(11);
        var values = new List<uint>();
        while (values.Count < 4000)
        {
            switch (rng.Next(3))
            {
                case 0: values.AddRange(Enumerable.Repeat((uint)rng.Next(), rng.Next(1, 60))); break;
                case 1: if (values.Count > 0) values.Add(values[rng.Next(values.Count)]); break;
                default: values.Add((uint)rng.Next() ^ (uint)rng.Next() << 16); break;
            }
        }
        var p = new ProgramBuilder();
        p.Root(b =>
        {
            for (int i = 0; i < values.Count; i++)
                b.Mark((ushort)(i % 7), values[i]);
        });

        var result = await Run(p, timeoutMs: 30_000);

        var marks = result.Observations.OfType<MarkObservation>().ToList();
        Assert.That(marks.Select(m => m.Value), Is.EqualTo(values));
        Assert.That(marks.Select(m => (int)m.StepId), Is.EqualTo(Enumerable.Range(0, values.Count).Select(i => i % 7)));
    }
}
