using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Run;
using Conformance.Executor.Features;
using Conformance.Model.Seccomp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Executor;

/// <summary>The catalogue runner as the executor's producer, over scripted machines.</summary>
public class RunnerOverExecutorTests
{
    const string ThreeCases = """
        id: g/one
        description: first
        steps:
          - nnp
        ---
        id: g/two
        description: second
        steps:
          - nnp
        ---
        id: g/three
        description: third
        steps:
          - nnp
        """;

    sealed class ConsoleSink : IRunSink
    {
        public readonly List<MachineReport> Machines = [];
        public readonly List<CaseReport> Cases = [];
        public readonly List<string> Consoles = [];
        public void OnMachine(MachineReport machine) => Machines.Add(machine);
        public void OnCase(CaseReport report) => Cases.Add(report);
        public void OnConsole(string text) => Consoles.Add(text);
        public void OnFinished(RunSummary summary) { }
    }

    [Test]
    public async Task A_panic_is_the_running_cases_error_and_the_other_cases_are_judged_on_their_machines()
    {
        var machines = new List<FakeMachine>();
        var sink = new ConsoleSink();
        var runner = new CatalogueRunner(() =>
        {
            var serial = machines.Count + 1;
            var m = new FakeMachine(serial, id => serial == 1 && id == 2 ? FakeBehaviour.Panic : FakeBehaviour.Answer);
            machines.Add(m);
            return m;
        }, new RunOptions { Backend = "fake" }, sink, NullLogger.Instance);

        await runner.RunAsync(CaseLoader.Parse(ThreeCases, "three.yaml"), CancellationToken.None);

        Assert.That(sink.Cases.Select(c => c.Id), Is.EqualTo(new[] { "g/one", "g/two", "g/three" }));
        var panicked = sink.Cases[1];
        Assert.That(panicked.Verdict.Status, Is.EqualTo(CaseStatus.Error));
        Assert.That(panicked.Verdict.Reason, Is.EqualTo("Panic: Kernel panic - not syncing: fake"));
        Assert.That(panicked.ConsoleExcerpt, Does.Contain("Kernel panic"));
        Assert.That(sink.Cases[0].Verdict.Reason, Does.Not.Contain("Panic"), "the case before the panic was judged from its own result");
        Assert.That(sink.Cases[2].Verdict.Reason, Does.Not.Contain("Panic"), "the case after it ran on a fresh machine");
        Assert.That(machines.Select(m => m.Seen), Is.EqualTo(new[] { new uint[] { 0, 1, 2 }, new uint[] { 0, 3 } }));
        Assert.That(sink.Machines, Has.Count.EqualTo(1), "the report describes the kernel once");
        Assert.That(sink.Consoles, Has.Count.EqualTo(2), "both machines' consoles reach the console log");
        Assert.That(sink.Consoles[0], Does.Contain("Kernel panic"));
        Assert.That(machines.Select(m => m.Disposed), Is.All.True);
    }

    [Test]
    public async Task A_witness_disagreement_is_a_failed_detection_case_the_summary_counts()
    {
        var sink = new ConsoleSink();
        var starts = new List<int>();
        // prctl's NULL probe says filter mode exists; the kernel config says it was not built.
        var runner = new CatalogueRunner(() => new FakeMachine(1, _ => FakeBehaviour.Answer, [(FeatureProbe.PrctlNull, -Errnos.EFAULT)]),
            new RunOptions { Backend = "fake", KernelConfig = new Dictionary<string, string> { ["SECCOMP_FILTER"] = "n" } },
            new CountingSink(sink, starts), NullLogger.Instance);

        var summary = await runner.RunAsync(CaseLoader.Parse(ThreeCases, "three.yaml"), CancellationToken.None);

        var detection = sink.Cases.Single(c => c.Id == "detection/witness/filter");
        Assert.That(detection.Verdict.Status, Is.EqualTo(CaseStatus.Fail));
        Assert.That(detection.Verdict.Reason, Does.Contain("prctl(PR_SET_SECCOMP, 2, NULL) gave EFAULT").And.Contain(ConfigWitness.Name + " gave n"));
        Assert.That(summary.Fail, Is.EqualTo(1));
        Assert.That(summary.Failed, Is.True, "run exits 1");
        Assert.That(starts, Is.EqualTo(new[] { 4 }), "the plan counts the detection case");
        Assert.That(sink.Machines.Single().Features.Mode2, Is.True, "the disputed feature counts present");
    }

    sealed class CountingSink(IRunSink inner, List<int> starts) : IRunSink
    {
        public void OnStart(int total) => starts.Add(total);
        public void OnMachine(MachineReport machine) => inner.OnMachine(machine);
        public void OnCase(CaseReport report) => inner.OnCase(report);
        public void OnConsole(string text) => inner.OnConsole(text);
        public void OnFinished(RunSummary summary) => inner.OnFinished(summary);
    }

    [Test]
    public async Task An_exception_inside_judging_is_that_cases_error_and_the_run_goes_on()
    {
        var sink = new ConsoleSink();
        var runner = new CatalogueRunner(() => new FakeMachine(1, _ => FakeBehaviour.Answer), new RunOptions { Backend = "fake" }, sink, NullLogger.Instance)
        {
            JudgeCase = (compiled, result, features, profile) => compiled.Case.Id == "g/two"
                ? throw new InvalidOperationException("a judge bug")
                : CaseJudge.Judge(compiled, result, features, profile),
        };

        var summary = await runner.RunAsync(CaseLoader.Parse(ThreeCases, "three.yaml"), CancellationToken.None);

        Assert.That(sink.Cases.Select(c => c.Id), Is.EqualTo(new[] { "g/one", "g/two", "g/three" }), "every case is reported");
        Assert.That(sink.Cases[1].Verdict.Status, Is.EqualTo(CaseStatus.Error));
        Assert.That(sink.Cases[1].Verdict.Reason, Is.EqualTo("judging failed: InvalidOperationException: a judge bug"));
        Assert.That(sink.Cases[2].Verdict.Reason, Does.Not.Contain("judge bug"), "the next case is judged on its own");
        Assert.That(summary.Error, Is.GreaterThanOrEqualTo(1));
    }
}
