using System.CommandLine;
using Conformance.Harness.Verbs;
using Conformance.Machines.Kernels;

namespace Conformance.Tests.Harness;

/// <summary>Which kernels `run` boots for a command line, decided without fetching or booting any.</summary>
public class RunTargetChoiceTests
{
    static RunTargetChoice Choose(string commandLine)
    {
        var kernel = new KernelOptions();
        var host = new Option<bool>("--host");
        var run = new Command("run") { host };
        kernel.AddTo(run);
        var parse = run.Parse(commandLine);
        Assert.That(parse.Errors, Is.Empty);
        return RunTargetChoice.From(parse, host, kernel);
    }

    [Test]
    public void A_series_without_an_arch_runs_that_series_on_both_arches()
    {
        var choice = (RunTargetChoice.DebianSeries)Choose("--series 6.12");
        Assert.That(choice.Series, Is.SameAs(DebianKernelSeries.V6_12));
        Assert.That(choice.Arches, Is.EqualTo(new[] { KernelArch.X86_64, KernelArch.Aarch64 }));
    }

    [Test]
    public void No_kernel_option_runs_debian_6_1_on_both_arches()
    {
        var choice = (RunTargetChoice.DebianSeries)Choose("");
        Assert.That(choice.Series, Is.SameAs(DebianKernelSeries.V6_1));
        Assert.That(choice.Arches, Has.Count.EqualTo(2));
    }

    [TestCase("--arch aarch64 --series 6.12")]
    [TestCase("--arch x86_64")]
    [TestCase("--kernel /boot/vmlinuz")]
    public void An_arch_or_a_kernel_image_is_one_kernel(string commandLine) =>
        Assert.That(Choose(commandLine), Is.InstanceOf<RunTargetChoice.OneKernel>());

    [Test]
    public void Host_wins() => Assert.That(Choose("--host --series 6.12"), Is.InstanceOf<RunTargetChoice.Host>());

    [Test]
    public void An_unknown_series_is_refused_before_anything_is_fetched() =>
        Assert.That(() => Choose("--series 5.4"), Throws.ArgumentException.With.Message.Contains("unknown kernel series '5.4'"));
}
