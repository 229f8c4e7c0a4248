using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Judge;

namespace Conformance.Tests.Catalogue;

/// <summary>
/// Judge rules that follow what the kernel did: `when: {arch}`, a wait's stated `killed` (about the
/// child, not the waiter), and a TSYNC that returned a thread id (nothing attached).
/// </summary>
[Category("Host")]
public class JudgeRulesOnHostTests
{
    const string ArchCase = """
        id: t/arch
        description: the first alternative whose arch matches the machine applies
        needs: [filter]
        steps:
          - call: getpid
            expect:
              - when: {arch: aarch64}
                ret: 12345
              - when: {arch: x86_64}
                ret: pid
        """;

    [Test]
    public void An_arch_condition_selects_the_alternative_for_the_machine()
    {
        Assume.That(System.Runtime.InteropServices.RuntimeInformation.OSArchitecture,
            Is.EqualTo(System.Runtime.InteropServices.Architecture.X64), "the host alternative is written for x86_64");
        var v = HostRun.One(ArchCase);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
    }

    [Test]
    public void An_arch_condition_for_another_machine_does_not_apply()
    {
        Assume.That(System.Runtime.InteropServices.RuntimeInformation.OSArchitecture,
            Is.EqualTo(System.Runtime.InteropServices.Architecture.X64), "the host alternative is written for x86_64");
        var v = HostRun.One(ArchCase.Replace("aarch64", "TMP").Replace("x86_64", "aarch64").Replace("TMP", "x86_64"));
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(v));
        Assert.That(v.Reason, Does.Contain("ret 12345"));
    }

    [Test]
    public void An_unknown_arch_in_a_condition_is_a_format_error()
    {
        var e = Assert.Throws<CaseFormatException>(() => CaseLoader.Parse(ArchCase.Replace("{arch: aarch64}", "{arch: riscv64}"), "arch.yaml"));
        Assert.That(e!.Message, Does.StartWith("arch.yaml:").And.Contain("riscv64"));
    }

    [Test]
    public void A_stated_kill_on_a_wait_is_about_the_child_and_the_waiter_runs_on()
    {
        var v = HostRun.One("""
            id: t/wait-killed
            description: the parent waits for a child the filter killed, then carries on
            needs: [filter, action:KILL_PROCESS]
            filters:
              kill_getpid: |
                ld [nr]
                jeq #getpid, kill
                ret #ALLOW
                kill: ret #KILL_PROCESS
            steps:
              - fork:
                  - nnp
                  - install: kill_getpid
                  - call: getpid
                save: child
              - wait: $child
                expect: {killed: SIGSYS}
              - mark: 1
                expect: {reached: true}
            """);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
        Assert.That(v.Checks.Single(c => c.Step == "case root").Expected, Does.Contain("exited 0"));
    }

    [Test]
    public void A_tsync_refused_by_a_diverged_thread_attaches_nothing_in_the_model()
    {
        var v = HostRun.One("""
            id: t/tsync-refused
            description: after TSYNC returns a sibling's TID the caller's calls are unfiltered
            needs: [filter, flag:TSYNC]
            filters:
              allow: |
                ret #ALLOW
              deny_getppid: |
                ld [nr]
                jeq #getppid, deny
                ret #ALLOW
                deny: ret #ERRNO(EPERM)
            steps:
              - thread:
                  - nnp
                  - install: allow
                  - set_flag: 0
                  - wait_flag: 1
                save: t
              - wait_flag: 0
              - nnp
              - install: deny_getppid
                flags: [TSYNC]
                expect: {ret: $t}
              - call: getppid
                allowed: {ret: ppid}
                expect: model
              - set_flag: 1
              - join: $t
            """);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
        Assert.That(v.Checks.Single(c => c.Step == "call getppid").FromModel, Is.True);
    }
}
