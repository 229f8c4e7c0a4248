using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using Conformance.Tests.Reports;

namespace Conformance.Tests.Catalogue;

/// <summary>
/// The judge is total: observations from a kernel that accepts filters Linux rejects are judged as
/// the executor would hand them over (a CaseResult), and end in a verdict that names what broke,
/// never in an exception or a half-judged case.
/// </summary>
public class JudgeTotalityTests
{
    const string Template = """
        id: totality/broken_checker
        description: a filter Linux refuses, on a kernel that attached it
        needs: [filter]
        filters:
          bad: |
        FILTER
        steps:
          - nnp
          - install: bad
            expect: model
          - call: getppid
            expect: model
          - call: getpid
            allowed: {ret: pid}
            expect: model
        """;

    static readonly KernelProfile Profile = KernelProfiles.ForRelease("6.1.0-56-cloud-amd64");

    [TestCase("    ld [1]\n    ret #ALLOW", TestName = "A misaligned load")]
    [TestCase("    ld [64]\n    ret #ALLOW", TestName = "A load past seccomp_data")]
    [TestCase("    .insn 0x05, 0, 0, 5\n    ret #ALLOW", TestName = "A jump past the end")]
    [TestCase("    ld [nr]", TestName = "No final RET")]
    public void A_kernel_that_accepts_a_filter_Linux_rejects_fails_the_case(string filter)
    {
        var definition = CaseLoader.Parse(Template.Replace("FILTER", filter), "totality.yaml").Single();
        var compiled = CaseCompiler.Compile(definition, "x86_64", ReportSamples.Features(mode2: true));
        var ids = definition.Steps.Select(s => compiled.StepOf(s)!.Id).ToArray();
        const int Pid = 100, Ppid = 99;
        var result = new CaseResult(1, TimedOut: false, Overflowed: false, AgentError: false, RootStatus: 0, TimeSpan.FromMilliseconds(3),
        [
            new StartObservation(Body.RootStep, Pid, Pid, Ppid, 0),
            new SyscallObservation(ids[0], Pid, Pid, 0, []),
            new SyscallObservation(ids[1], Pid, Pid, 0, []),   // the broken kernel attached it
            new SyscallObservation(ids[2], Pid, Pid, Ppid, []),
            new SyscallObservation(ids[3], Pid, Pid, Pid, []),
            new EndObservation(Body.RootStep, Pid, Pid),
        ]);

        CaseVerdict verdict = null!;
        Assert.DoesNotThrow(() => verdict = CaseJudge.Judge(compiled, result, ReportSamples.Features(mode2: true), Profile));

        TestContext.Out.WriteLine(HostRun.Explain(verdict));
        Assert.That(verdict.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(verdict));
        var install = verdict.Checks.Single(c => c.Step.StartsWith("install", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(install.Passed, Is.False, "the install was expected to be refused");
            Assert.That(install.Expected, Does.Contain("-22").And.Contain("EINVAL"), "Linux refuses it with EINVAL, naming the rule");
            Assert.That(install.Observed, Does.Contain("0"));
        });
        // The later calls are not judged against a behaviour Linux never defined: the verdict names
        // each of them with the rule the attached filter breaks.
        Assert.That(verdict.Reason, Does.Contain("call getppid").And.Contain("call getpid").And.Contain("Linux rejects"), HostRun.Explain(verdict));
    }
}
