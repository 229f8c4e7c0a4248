using Conformance.Machines.Host;
using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Reports;
using Conformance.Catalogue.Run;
using Conformance.Tests.Catalogue;
using Conformance.Tests.Vm;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.CatalogueVm;

/// <summary>
/// The whole cases/ catalogue on real kernels in QEMU, as `conformance run` runs it: Debian's 6.1
/// and 6.12 cloud kernels, a small 6.1 kernel built with the seccomp fragment, and a kernel without
/// filter mode, where only what needs no filter may run and everything else must skip.
/// </summary>
[Category("Vm"), NonParallelizable]
public class CatalogueVmTests
{
    static IReadOnlyList<CaseDefinition> Catalogue()
    {
        var folder = Path.GetFullPath(Path.Combine(AgentBinaries.NativeDirectory(), "..", "..", "cases"));
        var cases = CaseLoader.LoadAll(folder, out var errors);
        Assert.That(errors.Select(e => e.Message), Is.Empty, "every case file loads");
        return cases;
    }

    static async Task<(HostRun.CollectingSink Sink, RunSummary Summary)> RunOn(KernelDescriptor kernel, RunOptions? options = null, string? knownFile = null)
    {
        var image = await VmKernels.PortImage(kernel);
        var sink = new HostRun.CollectingSink();
        var catalogue = Catalogue();
        var known = knownFile is null ? KnownFailures.None
            : KnownFailures.Load(Path.GetFullPath(Path.Combine(AgentBinaries.NativeDirectory(), "..", "..", "tests", "known", knownFile)),
                catalogue.Select(c => c.Id).ToHashSet(StringComparer.Ordinal));
        var runner = new CatalogueRunner(
            () => new QemuMachine(new QemuMachineOptions(kernel, image.Path) { CacheRoot = VmKernels.Store.CacheRoot, AgentPort = image.Port }),
            options ?? new RunOptions(), new KnownFailureSink(sink, known), NullLogger.Instance);
        var summary = await runner.RunAsync(catalogue, CancellationToken.None);
        TestContext.Out.WriteLine($"{summary} on {kernel.Name}");
        return (sink, summary);
    }

    static void NothingFailed(HostRun.CollectingSink sink, KernelDescriptor kernel)
    {
        var bad = sink.Cases.Where(c => c.Verdict.Status is CaseStatus.Fail or CaseStatus.Error or CaseStatus.Xpass)
            .Select(c => $"{c.Id} ({c.File}): {HostRun.Explain(c.Verdict)}{(c.ConsoleExcerpt is { } e ? "\n" + e : "")}").ToList();
        Assert.That(bad, Is.Empty, $"{bad.Count} cases failed or errored on {kernel.Name}");
        Assert.That(sink.Cases.Count(c => c.Verdict.Status == CaseStatus.Pass), Is.GreaterThan(sink.Cases.Count / 2),
            "most cases run (they are not all skipped)");
    }

    static Task<KernelDescriptor> Debian(DebianKernelSeries series, KernelArch arch) => VmKernels.Store.FetchDebianAsync(series, arch);

    [Test]
    public async Task Debian_6_1_x86_64()
    {
        var kernel = await Debian(DebianKernelSeries.V6_1, KernelArch.X86_64);
        NothingFailed((await RunOn(kernel)).Sink, kernel);
    }

    /// <summary>bullseye's 5.10: judged by the 5.10 profile; the fixes it lacks are listed, with reasons, in tests/known/debian-5.10.known.</summary>
    [Test]
    public async Task Debian_5_10_x86_64()
    {
        var kernel = await Debian(DebianKernelSeries.V5_10, KernelArch.X86_64);
        var (sink, _) = await RunOn(kernel, knownFile: "debian-5.10.known");
        NothingFailed(sink, kernel);
        Assert.That(sink.Cases.Where(c => c.Verdict.Status == CaseStatus.Xfail).Select(c => c.Id), Does.Contain("fixes/tsync-during-syscall-entry-stop"),
            "5.10 lacks the CVE-2026-89603 fix, and the catalogue says so");
    }

    [Test]
    public async Task Debian_6_12_x86_64()
    {
        var kernel = await Debian(DebianKernelSeries.V6_12, KernelArch.X86_64);
        NothingFailed((await RunOn(kernel)).Sink, kernel);
    }

    [Test]
    public async Task Debian_6_1_aarch64()
    {
        var kernel = await Debian(DebianKernelSeries.V6_1, KernelArch.Aarch64);
        NothingFailed((await RunOn(kernel)).Sink, kernel);
    }

    /// <summary>The small 6.1 test kernel (seccomp fragment); with lkdtm too, so CI builds one kernel for this and the crash tests.</summary>
    [Test]
    public async Task Built_6_1_seccomp_test_kernel_x86_64()
    {
        var kernel = await VmKernels.Store.BuildAsync(new KernelBuildRequest(KernelArch.X86_64, DebianKernelSeries.V6_1, ["seccomp", "lkdtm"]));
        NothingFailed((await RunOn(kernel)).Sink, kernel);
    }

    [Test]
    public async Task Without_filter_mode_detection_passes_and_every_filter_case_skips()
    {
        var kernel = await VmKernels.NoSeccompFilter(KernelArch.X86_64);
        var (sink, _) = await RunOn(kernel);
        Assert.That(sink.Machine!.Features.Mode2, Is.False);
        var bad = sink.Cases.Where(c => c.Verdict.Status is CaseStatus.Fail or CaseStatus.Error)
            .Select(c => $"{c.Id}: {HostRun.Explain(c.Verdict)}").ToList();
        Assert.That(bad, Is.Empty, "nothing fails: what needs filters skips, the rest holds");
        var ran = sink.Cases.Where(c => c.Verdict.Status == CaseStatus.Pass).ToList();
        Assert.That(ran.Select(c => c.Id).Where(id => id.StartsWith("detection/", StringComparison.Ordinal)), Is.Not.Empty,
            "detection cases run on a kernel without filters");
        Assert.That(ran.Where(c => c.Case!.EffectiveNeeds.Contains("filter")), Is.Empty, "no case that needs filters ran");
        Assert.That(sink.Cases.Where(c => c.Case is { } d && d.EffectiveNeeds.Contains("filter")).All(c => c.Verdict.Status == CaseStatus.Skip), Is.True);
    }

    /// <summary>A backport that must have filter mode: `--expect-features filter` turns every such skip into a failure.</summary>
    [Test]
    public async Task Without_filter_mode_an_expected_filter_feature_fails_every_filter_case()
    {
        var kernel = await VmKernels.NoSeccompFilter(KernelArch.X86_64);
        var (sink, summary) = await RunOn(kernel, new RunOptions { ExpectFeatures = new HashSet<string> { "filter" } });
        var needFilter = sink.Cases.Where(c => c.Case!.EffectiveNeeds.Contains("filter") && c.Case.RunsOn("x86_64")).ToList();
        Assert.That(needFilter, Is.Not.Empty);
        Assert.That(needFilter.Where(c => c.Verdict.Status != CaseStatus.Fail || !c.Verdict.Reason.Contains("expected feature absent: filter"))
            .Select(c => $"{c.Id}: {c.Verdict.Status} {c.Verdict.Reason}"), Is.Empty);
        Assert.That(sink.Cases.Where(c => !c.Case!.EffectiveNeeds.Contains("filter")).Select(c => c.Verdict.Status), Has.None.EqualTo(CaseStatus.Fail));
        Assert.That(summary.Fail, Is.EqualTo(needFilter.Count));
    }
}
