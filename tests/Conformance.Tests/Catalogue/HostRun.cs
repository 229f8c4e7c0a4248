using Conformance.Machines.Host;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Run;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Catalogue;

/// <summary>Runs case YAML on the host kernel through the real agent and collects the verdicts.</summary>
static class HostRun
{
    public sealed class CollectingSink : IRunSink
    {
        public MachineReport? Machine;
        public readonly List<CaseReport> Cases = [];
        public RunSummary? Summary;
        public void OnMachine(MachineReport machine) => Machine = machine;
        public void OnCase(CaseReport report) => Cases.Add(report);
        public void OnConsole(string text) { }
        public void OnFinished(RunSummary summary) => Summary = summary;
    }

    public static CollectingSink Run(IReadOnlyList<CaseDefinition> cases)
    {
        var sink = new CollectingSink();
        var runner = new CatalogueRunner(() => new HostMachine(), new RunOptions { Backend = "host" }, sink, NullLogger.Instance);
        runner.RunAsync(cases, CancellationToken.None).GetAwaiter().GetResult();
        return sink;
    }

    public static CaseVerdict One(string yaml)
    {
        var cases = CaseLoader.Parse(yaml, "test.yaml");
        var sink = Run(cases);
        Assert.That(sink.Cases, Has.Count.EqualTo(1));
        return sink.Cases[0].Verdict;
    }

    public static string Explain(CaseVerdict v) =>
        $"{v.Status}: {v.Reason}\n" + string.Join("\n", v.Checks.Select(c => $"  [{(c.Passed ? "ok" : "FAIL")}] {c.Step} @{c.Where}: expected {c.Expected}; observed {c.Observed}"));
}
