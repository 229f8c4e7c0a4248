using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Judge;

namespace Conformance.Tests.Catalogue;

/// <summary>`pipe: [r, w]` saves two working descriptors, so a case can block a task on a read without eventfd.</summary>
[Category("Host")]
public class PipeStepOnHostTests
{
    [Test]
    public void Bytes_written_to_the_saved_write_end_come_out_of_the_saved_read_end()
    {
        var v = HostRun.One("""
            id: t/pipe
            description: a pipe step
            steps:
              - pipe: [r, w]
              - call: write
                args: [$w, {u64: [7]}, 8]
                expect: {ret: 8}
              - call: read
                args: [$r, buf, 8]
                expect: {ret: 8}
              - call: close
                args: [$w]
                expect: {ret: 0}
              - call: read
                args: [$r, buf, 8]
                expect: {ret: 0}
            """);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
    }

    [Test]
    public void A_pipe_step_needs_two_different_names()
    {
        var e = Assert.Throws<CaseFormatException>(() => CaseLoader.Parse("""
            id: t/pipe
            description: a pipe step
            steps:
              - pipe: [r, r]
            """, "p.yaml"));
        Assert.That(e!.Message, Does.Contain("p.yaml:4").And.Contain("pipe: [r, w]"));
    }
}
