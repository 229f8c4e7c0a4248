using Conformance.Benchmarks.Selftest;

namespace Conformance.Tests.Selftest;

public class BareInitRunTests
{
    [TestCase("CONFORMANCE-BARE-INIT-RAN exit 0 after 4409 ms", ProgramEnd.Exit, 0, 4409)]
    [TestCase("CONFORMANCE-BARE-INIT-RAN exit 127 after 18 ms\r", ProgramEnd.Exit, 127, 18)]
    [TestCase("CONFORMANCE-BARE-INIT-RAN signal 9 after 70 ms", ProgramEnd.Signal, 9, 70)]
    [TestCase("CONFORMANCE-BARE-INIT-RAN timeout after 3042 ms", ProgramEnd.Timeout, 0, 3042)]
    public void The_result_line_says_how_the_program_ended_and_how_long_it_ran(string line, ProgramEnd end, int code, int ms)
    {
        var run = BareInitRun.Parse(line);

        Assert.That(run, Is.EqualTo(new BareInitRun(end, code, TimeSpan.FromMilliseconds(ms))));
        Assert.That(run.ExitedZero, Is.EqualTo(end == ProgramEnd.Exit && code == 0));
    }

    [TestCase("CONFORMANCE-BARE-INIT-RAN exit after 5 ms")]
    [TestCase("CONFORMANCE-BARE-INIT-RAN timeout 3 after 5 ms")]
    [TestCase("CONFORMANCE-BARE-INIT-READY 6.1.0-56-cloud-amd64")]
    public void Anything_else_is_refused_naming_the_line(string line)
    {
        var e = Assert.Throws<FormatException>(() => BareInitRun.Parse(line));

        Assert.That(e!.Message, Does.Contain(line));
    }
}
