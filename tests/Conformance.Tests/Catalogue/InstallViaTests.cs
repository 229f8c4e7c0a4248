using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Executor.Features;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;

namespace Conformance.Tests.Catalogue;

/// <summary>An install without `via` uses seccomp(2) where the kernel has it and prctl before 3.17.</summary>
public class InstallViaTests
{
    static readonly CaseDefinition Case = CaseLoader.Parse("""
        id: t/via
        description: install without via
        filters:
          allow: "ret #ALLOW"
        steps:
          - nnp
          - install: allow
        """, "t.yaml").Single();

    static KernelFeatures Features(params string[] present) => new()
    {
        Release = "3.10.0", Machine = "x86_64", PrctlNullErrno = Errnos.EFAULT,
        SeccompNullErrno = present.Contains("seccomp_syscall") ? Errnos.EFAULT : Errnos.ENOSYS,
        Present = present.ToHashSet(),
    };

    static StepInfo InstallOf(CompiledCase c) => c.Steps.Values.Single(s => s.Step is CallStep { Effect: InstallInfo });

    [Test]
    public void With_seccomp_2_the_install_calls_seccomp()
    {
        var info = InstallOf(CaseCompiler.Compile(Case, "x86_64", Features("filter", "seccomp_syscall")));
        Assert.That(info.Nr, Is.EqualTo(SyscallTable.NumberOf(Abi.X86_64, "seccomp")));
        Assert.That(info.Made, Is.Null);
    }

    [Test]
    public void Without_seccomp_2_the_same_install_calls_prctl_and_the_judge_knows()
    {
        var info = InstallOf(CaseCompiler.Compile(Case, "aarch64", Features("filter")));
        Assert.That(info.Nr, Is.EqualTo(SyscallTable.NumberOf(Abi.Aarch64, "prctl")));
        Assert.That(info.Made!.Args.Select(a => a.Known), Is.EqualTo(new ulong?[] { 22, 2, null, 0, 0 }));
        Assert.That(((InstallInfo)((CallStep)info.Step).Effect!).On(false), Is.EqualTo(InstallVia.Prctl));
    }
}
