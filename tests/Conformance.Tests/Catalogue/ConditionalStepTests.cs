using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Executor.Features;
using Conformance.Model.Seccomp;

namespace Conformance.Tests.Catalogue;

/// <summary>A step's `when:` decides per machine whether it is compiled (and so judged) at all.</summary>
public class ConditionalStepTests
{
    static readonly CaseDefinition Case = CaseLoader.Parse("""
        id: t/when
        description: a step only some machines run
        steps:
          - sleep_ms: 5100
            when: {no_feature: printk_unlimited}
          - mark: 1
            when: {arch: aarch64}
          - mark: 2
            when: {profile: ">=6.0"}
          - mark: 3
        """, "t.yaml").Single();

    static KernelFeatures Features(string release, params string[] present) => new()
    {
        Release = release, Machine = "x86_64", PrctlNullErrno = Errnos.EFAULT, SeccompNullErrno = Errnos.EFAULT,
        Present = present.ToHashSet(),
    };

    static string[] Compiled(string arch, KernelFeatures f) =>
        CaseCompiler.Compile(Case, arch, f).Steps.Values.Where(s => !s.Internal).Select(s => s.Step.Label).ToArray();

    [Test]
    public void Steps_whose_condition_fails_are_left_out()
    {
        Assert.That(Compiled("x86_64", Features("6.1.0", "printk_unlimited")), Is.EqualTo(new[] { "mark 2", "mark 3" }));
        Assert.That(Compiled("aarch64", Features("5.10.0")), Is.EqualTo(new[] { "sleep 5100 ms", "mark 1", "mark 3" }));
    }

    [Test]
    public void A_left_out_step_has_no_compiled_form_for_the_judge()
    {
        var compiled = CaseCompiler.Compile(Case, "x86_64", Features("6.1.0", "printk_unlimited"));
        Assert.That(compiled.StepOf(Case.Steps[0]), Is.Null);
        Assert.That(compiled.StepOf(Case.Steps[3]), Is.Not.Null);
    }
}
