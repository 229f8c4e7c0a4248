using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Executor;
using Conformance.Machines.Host;
using Conformance.Machines.Protocol;
using Conformance.Tests.Reports;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Host;

/// <summary>
/// The catalogue on the host kernel with an agent that only pretends to install filters
/// (docs/agent-protocol.md §2, pretend mode): the kernel still checks every install, but no filter
/// is ever attached. Every case whose kernel accepted an install must fail then
/// (<see cref="FilterDependence.DependsOnFilter"/>); one that passes cannot fail on a kernel that
/// ignores filters.
/// </summary>
[Category("Host"), NonParallelizable]
public class PretendFilterTests
{
    [Test]
    public async Task Every_case_that_depends_on_a_filter_fails_when_no_filter_is_attached()
    {
        var cases = CaseLoader.LoadAll(CatalogueOnHostTests.CasesFolder(), out var loadErrors);
        Assert.That(loadErrors.Select(e => e.Message), Is.Empty, "every case file loads");

        await using var executor = new CaseExecutor(() => new HostMachine { PretendFilters = true }, new ExecutorOptions { PoolSize = 1 }, NullLogger.Instance);
        var machine = await executor.StartAsync(CancellationToken.None);
        var compiled = cases.Where(c => c.RunsOn(machine.Arch) && c.EffectiveNeeds.All(machine.Features.Has))
            .Select(c => CaseCompiler.Compile(c, machine.Arch, machine.Features)).ToList();
        var requests = compiled.Select((c, i) => new CaseRequest((uint)(i + 1), c.Case.Timeout, c.Program)).ToList();

        var cannotFail = new List<string>();
        var counts = new Dictionary<(FilterDependence, CaseStatus), int>();
        await foreach (var execution in executor.SubmitAsync(requests, CancellationToken.None))
        {
            var one = compiled[(int)execution.Request.CaseId - 1];
            Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Completed), $"{one.Case.Id} ran");
            var verdict = CaseJudge.Judge(one, execution.Result!, execution.Machine!.Features, execution.Machine.Profile);
            var dependence = FilterDependenceOf.Of(one, execution.Result!);
            counts[(dependence, verdict.Status)] = counts.GetValueOrDefault((dependence, verdict.Status)) + 1;
            if (dependence == FilterDependence.DependsOnFilter && verdict.Status == CaseStatus.Pass)
                cannotFail.Add($"{one.Case.Id} ({one.Case.Pos}) cannot fail: it passes with no filter attached");
        }
        foreach (var ((dependence, status), n) in counts.OrderBy(kv => kv.Key))
            TestContext.Out.WriteLine($"{dependence} {status}: {n}");
        foreach (var line in cannotFail)
            TestContext.Out.WriteLine(line);
        Assert.That(counts.Keys.Count(k => k.Item1 == FilterDependence.DependsOnFilter), Is.GreaterThan(0), "the run installed filters at all");
        Assert.That(cannotFail, Is.Empty, "cases whose kernel accepted an install that still pass when no filter is attached");
    }
}
