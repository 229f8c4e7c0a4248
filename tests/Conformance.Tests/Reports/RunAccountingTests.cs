using Conformance.Machines;
using Conformance.Machines.Protocol;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Reports;
using Conformance.Catalogue.Run;
using Conformance.Tests.Catalogue;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Reports;

/// <summary>The runner's promise to the reports: the plan it announces is the number of results it delivers, whatever the machine does.</summary>
public class RunAccountingTests
{
    /// <summary>A machine whose kernel never says HELO, as QemuMachine reports a boot timeout. No kernel is claimed to be tested here.</summary>
    sealed class NeverBootingMachine : IMachine
    {
        public string Name => "qemu/x86_64/never-boots";
        public string Arch => "x86_64";
        public string ConsoleText => "[    0.000000] Linux version never-boots\n[    1.0] ok 3 looks like a result\n";
        public MachineFault? Fault { get; private set; }

        public Task<AgentSession> StartAsync(CancellationToken cancellationToken)
        {
            Fault = new MachineFault(FaultKind.BootTimeout, "no HELO from the agent within 60 s", ConsoleText);
            throw new MachineFaultException(Fault);
        }

        public TimeSpan? BootTime => null;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    const string TwoCases = """
        id: g/one
        description: first
        steps:
          - nnp
        ---
        id: g/two
        description: second
        steps:
          - nnp
        """;

    [Test]
    public async Task A_machine_that_never_boots_still_gets_every_announced_case_reported_as_an_error()
    {
        var cases = CaseLoader.Parse(TwoCases, "two.yaml");
        var dir = ReportSamples.TempDir();
        try
        {
            var collected = new HostRun.CollectingSink();
            var ktapPath = Path.Combine(dir, "results.ktap");
            var sink = new SinkSet(collected, new KtapReport(ktapPath), new JunitReport(Path.Combine(dir, "junit.xml"), "never"));
            var summary = await new CatalogueRunner(() => new NeverBootingMachine(), new RunOptions(), sink, NullLogger.Instance)
                .RunAsync(cases, CancellationToken.None);

            Assert.That((summary.Error, summary.Total), Is.EqualTo((2, 2)));
            Assert.That(collected.Summary, Is.EqualTo(summary), "OnFinished was called");
            Assert.That(collected.Cases.Select(c => (c.Id, c.Verdict.Status)), Is.EqualTo(new[] { ("g/one", CaseStatus.Error), ("g/two", CaseStatus.Error) }));
            var ktap = KtapParser.Parse(File.ReadAllText(ktapPath));
            Assert.That(ktap.Plan, Is.EqualTo(2));
            Assert.That(ktap.Results.Select(r => (r.Ok, r.Directive)), Is.EqualTo(new[] { (false, (string?)"ERROR"), (false, (string?)"ERROR") }));
            Assert.That(ktap.Results[0].DirectiveText, Does.Contain("did not boot").And.Contain("no HELO"));
            Assert.That(ktap.Results[0].Diagnostics, Has.Some.Contain("console: [    1.0] ok_3 looks like a result"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
