using Conformance.Machines.Protocol;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Tests.Host;

/// <summary>
/// The agent reuses one case area: a case after a long program must find its log clean. (A short
/// program starts its log inside the previous program's bytes; stale words there made claims skip
/// by garbage lengths: lost records on x86_64, SIGBUS on arm64's misaligned atomics.)
/// </summary>
[Category("Host"), NonParallelizable]
public class CaseAreaReuseTests : HostAgentFixture
{
    static byte[] LongProgram()
    {
        var p = new ProgramBuilder();
        var filter = new Instruction[4096];
        for (int i = 0; i < filter.Length - 1; i++)
            filter[i] = new Instruction(0x15, 0, 0, 0x7); // an odd first word: a claim would skip 21 bytes
        filter[^1] = new Instruction(0x06, 0, 0, SeccompRet.Allow);
        p.AddFilter(filter);
        p.Root(b => b.Mark(1, 1));
        return p.Build();
    }

    static byte[] ManyMarks(int n)
    {
        var p = new ProgramBuilder();
        p.Root(b =>
        {
            for (int i = 0; i < n; i++)
                b.Mark((ushort)(i + 1), (uint)i);
        });
        return p.Build();
    }

    [Test]
    public async Task A_small_case_after_a_long_program_keeps_every_record()
    {
        var results = await RunMany([LongProgram(), ManyMarks(512), ManyMarks(512)]);
        Assert.That(results[0].Observations.OfType<MarkObservation>().Count(), Is.EqualTo(1));
        foreach (var r in results.Skip(1))
        {
            var marks = r.Observations.OfType<MarkObservation>().Select(m => m.Value).ToList();
            Assert.That(marks, Is.EqualTo(Enumerable.Range(0, 512).Select(i => (uint)i)), "every mark, in order");
            Assert.That(r.Observations.OfType<EndObservation>().Count(), Is.EqualTo(1));
        }
    }
}
