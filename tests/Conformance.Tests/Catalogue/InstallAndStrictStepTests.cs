using Conformance.Catalogue.Cases;

namespace Conformance.Tests.Catalogue;

/// <summary>The `install` fprog shapes and the `strict` step as the parser expands them into system calls.</summary>
public class InstallAndStrictStepTests
{
    static CallStep OnlyStep(string steps) =>
        (CallStep)CaseLoader.Parse($$"""
            id: t/step
            description: one step
            filters:
              allow: "ret #ALLOW"
            steps:
            {{steps}}
            """, "t.yaml")[0].Steps[0];

    [Test]
    public void A_filter_pointer_and_a_length_combine_in_one_fprog()
    {
        var step = OnlyStep("""
              - install: allow
                fprog: [filter-bad, len=4097]
            """);
        var info = (InstallInfo)step.Effect!;
        Assert.That(info.FilterPointer, Is.EqualTo(FilterPointer.Bad));
        Assert.That(info.Length, Is.EqualTo(4097u));
        Assert.That(info.FprogPointer, Is.Null);
        Assert.That(step.Args[2], Is.EqualTo(new FilterValue("allow", FilterPointer.Bad, 4097)));
    }

    [Test]
    public void A_single_fprog_shape_still_reads_as_before()
    {
        var info = (InstallInfo)OnlyStep("""
              - install: allow
                fprog: len=0
            """).Effect!;
        Assert.That(info.Length, Is.EqualTo(0u));
        Assert.That(info.FilterPointer, Is.EqualTo(FilterPointer.Real));
    }

    [Test]
    public void A_missing_fprog_cannot_also_have_a_length()
    {
        var e = Assert.Throws<CaseFormatException>(() => OnlyStep("""
              - install: allow
                fprog: [null, len=0]
            """));
        Assert.That(e!.Message, Does.StartWith("t.yaml:6:").And.Contain("no filter pointer or length to combine with"));
    }

    [Test]
    public void An_unknown_fprog_item_is_named_with_its_position()
    {
        var e = Assert.Throws<CaseFormatException>(() => OnlyStep("""
              - install: allow
                fprog: [filter-null, len=x]
            """));
        Assert.That(e!.Message, Does.StartWith("t.yaml:7:").And.Contain("fprog 'len=x'"));
    }

    [Test]
    public void Strict_uses_prctl_and_must_succeed_unless_the_case_says_otherwise()
    {
        var step = OnlyStep("  - strict");
        Assert.That(step.Nr, Is.EqualTo(new SyscallNameValue("prctl")));
        Assert.That(step.Args.Select(a => a.Known), Is.EqualTo(new ulong?[] { 22, 1, 0, 0, 0 }));
        Assert.That(step.Effect, Is.InstanceOf<SetsStrictMode>());
        Assert.That(step.DefaultExpect!.Ret!.Test(0, null!), Is.True);
        Assert.That(step.DefaultExpect!.Ret!.Test(-22, null!), Is.False);
    }

    [Test]
    public void Strict_via_seccomp_is_seccomp_set_mode_strict_with_no_flags_and_no_args()
    {
        var step = OnlyStep("""
              - strict:
                via: seccomp
            """);
        Assert.That(step.Nr, Is.EqualTo(new SyscallNameValue("seccomp")));
        Assert.That(step.Args.Select(a => a.Known), Is.EqualTo(new ulong?[] { 0, 0, 0 }));
        Assert.That(step.Effect, Is.InstanceOf<SetsStrictMode>());
    }

    [Test]
    public void Strict_via_something_else_is_an_error()
    {
        var e = Assert.Throws<CaseFormatException>(() => OnlyStep("""
              - strict:
                via: ioctl
            """));
        Assert.That(e!.Message, Does.Contain("via 'ioctl' must be seccomp or prctl"));
    }
}
