using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using Conformance.Tests.Reports;

namespace Conformance.Tests.Catalogue;

/// <summary>
/// `expect: observe` and `expect: [model, observe]` (docs/cases.md, "Expectations"): a step the
/// model cannot say anything about is recorded as not judged instead of being guessed, failed or
/// made the case's error; where the model can say, its answer is still held against the kernel.
/// Judged from hand-made observations, as the executor would hand them over.
/// </summary>
public class ObserveExpectationTests
{
    static readonly KernelProfile Profile = KernelProfiles.ForRelease("6.1.0-56-cloud-amd64");
    const int Pid = 100, Ppid = 99, Child = 101;

    /// <summary>A filter that reads args[0]: the model cannot say what it does to a call whose argument is an address.</summary>
    const string Template = """
        id: observe/judge
        description: a call the model cannot predict
        needs: [filter]
        filters:
          by_arg: |
            ld [nr]
            jne #getppid, allow
            ld [args[0]]
            jeq #5, deny
            allow: ret #ALLOW
            deny: ret #ERRNO(1)
        steps:
          - nnp
          - install: by_arg
          - call: getppid
            args: [ARG]
            allowed: {ret: ppid}
            expect: EXPECT
        """;

    static (CaseVerdict Verdict, CompiledCase Compiled) JudgeRoot(string yaml, params long[] rets)
    {
        var definition = CaseLoader.Parse(yaml, "observe.yaml").Single();
        var compiled = CaseCompiler.Compile(definition, "x86_64", ReportSamples.Features(mode2: true));
        var ids = definition.Steps.Select(s => compiled.StepOf(s)!.Id).ToArray();
        var observations = new List<Observation> { new StartObservation(Body.RootStep, Pid, Pid, Ppid, 0) };
        observations.AddRange(rets.Select((ret, i) => (Observation)new SyscallObservation(ids[i], Pid, Pid, ret, [])));
        observations.Add(new EndObservation(Body.RootStep, Pid, Pid));
        var result = new CaseResult(1, TimedOut: false, Overflowed: false, AgentError: false, RootStatus: 0, TimeSpan.FromMilliseconds(3), observations);
        return (CaseJudge.Judge(compiled, result, ReportSamples.Features(mode2: true), Profile), compiled);
    }

    static string Case(string arg, string expect) => Template.Replace("ARG", arg).Replace("EXPECT", expect);

    [Test]
    public void Model_alone_where_the_model_cannot_say_is_still_the_cases_error()
    {
        var (verdict, _) = JudgeRoot(Case("buf", "model"), 0, 0, Ppid);
        Assert.That(verdict.Status, Is.EqualTo(CaseStatus.Error), HostRun.Explain(verdict));
        Assert.That(verdict.Reason, Does.Contain("args[0]"));
    }

    [Test]
    public void Model_or_observe_where_the_model_cannot_say_is_observed_and_not_judged()
    {
        var (verdict, _) = JudgeRoot(Case("buf", "[model, observe]"), 0, 0, -1);
        Assert.That(verdict.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(verdict));
        var call = verdict.Checks.Single(c => c.Step == "call getppid");
        Assert.Multiple(() =>
        {
            Assert.That(call.Judged, Is.False);
            Assert.That(call.Passed, Is.True, "a check that was not judged never fails");
            Assert.That(call.Expected, Does.StartWith("not judged: the model cannot say").And.Contain("args[0]"));
            Assert.That(call.Observed, Does.Contain("ret -1"), "what the kernel did is still recorded");
        });
        Assert.That(verdict.Checks.Where(c => c.Step != "call getppid").All(c => c.Judged), Is.True, "the other steps are judged as before");
    }

    [Test]
    public void Model_or_observe_where_the_model_can_say_is_judged_by_the_model()
    {
        // args[0] = 5 is known: the filter denies with ERRNO(1), and a kernel that let the call run fails.
        var (verdict, _) = JudgeRoot(Case("5", "[model, observe]"), 0, 0, Ppid);
        Assert.That(verdict.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(verdict));
        var call = verdict.Checks.Single(c => c.Step == "call getppid");
        Assert.Multiple(() =>
        {
            Assert.That(call.Judged, Is.True);
            Assert.That(call.FromModel, Is.True);
            Assert.That(call.Expected, Does.Contain("-1"));
        });
        (verdict, _) = JudgeRoot(Case("5", "[model, observe]"), 0, 0, -1);
        Assert.That(verdict.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(verdict));
    }

    [Test]
    public void A_model_that_cannot_say_falls_through_to_a_stated_alternative()
    {
        var (verdict, _) = JudgeRoot(Case("buf", "[model, {errno: EPERM}]"), 0, 0, Ppid);
        Assert.That(verdict.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(verdict));
        Assert.That(verdict.Checks.Single(c => c.Step == "call getppid").Expected, Does.Contain("EPERM"));
    }

    [Test]
    public void Observe_judges_nothing_even_where_the_model_could_say()
    {
        var (verdict, _) = JudgeRoot(Case("5", "observe"), 0, 0, Ppid);
        Assert.That(verdict.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(verdict));
        var call = verdict.Checks.Single(c => c.Step == "call getppid");
        Assert.That(call.Judged, Is.False);
        Assert.That(call.Expected, Is.EqualTo("not judged: observed as the case asks"));
    }

    [TestCase("observe", "observe")]
    [TestCase("[model, observe]", "- model\n  - observe")]
    [TestCase("[{when: {arch: x86_64}, observe: true}, model]", "observe: true")]
    public void Observe_forms_are_written_back_as_they_were_read(string expect, string written)
    {
        var definition = CaseLoader.Parse(Case("buf", expect), "observe.yaml").Single();
        var yaml = CaseWriter.Write(definition);
        Assert.That(yaml, Does.Contain(written));
        var again = CaseLoader.Parse(yaml, "again.yaml").Single();
        var before = definition.Steps[^1].Expect!.Alternatives;
        var after = again.Steps[^1].Expect!.Alternatives;
        Assert.That(after.Select(a => (a.UseModel, a.Observe, a.When?.ToString())), Is.EqualTo(before.Select(a => (a.UseModel, a.Observe, a.When?.ToString()))));
    }

    [Test]
    public void An_observe_alternative_takes_no_matcher()
    {
        var e = Assert.Throws<CaseFormatException>(() => CaseLoader.Parse(Case("buf", "[{observe: true, ret: 0}]"), "observe.yaml"));
        Assert.That(e!.Message, Does.Contain("observe judges nothing"));
    }

    /// <summary>A child that dies at a call the model could not judge (a tracer's kill, a field it lacks): its wait.</summary>
    const string ChildTemplate = """
        id: observe/child
        description: a child dies where the model expected it to run on
        needs: [filter]
        filters:
          by_arg: |
            ld [nr]
            jne #getppid, allow
            ld [args[0]]
            jeq #5, deny
            allow: ret #ALLOW
            deny: ret #KILL_PROCESS
        steps:
          - nnp
          - install: by_arg
          - fork:
              - call: getppid
                args: [ARG]
                allowed: {ret: ppid}
                expect: CALL
            save: child
          - wait: $child
            expect: WAIT
        """;

    static CaseVerdict JudgeChildKilled(string arg, string call, string wait)
    {
        var definition = CaseLoader.Parse(ChildTemplate.Replace("ARG", arg).Replace("CALL", call).Replace("WAIT", wait), "child.yaml").Single();
        var compiled = CaseCompiler.Compile(definition, "x86_64", ReportSamples.Features(mode2: true));
        var fork = (ForkStep)definition.Steps[2];
        ushort Id(Step s) => compiled.StepOf(s)!.Id;
        var killed = new byte[4];
        BitConverter.GetBytes(31).CopyTo(killed, 0);   // wait status: killed by SIGSYS
        var result = new CaseResult(1, TimedOut: false, Overflowed: false, AgentError: false, RootStatus: 0, TimeSpan.FromMilliseconds(3),
        [
            new StartObservation(Body.RootStep, Pid, Pid, Ppid, 0),
            new SyscallObservation(Id(definition.Steps[0]), Pid, Pid, 0, []),
            new SyscallObservation(Id(definition.Steps[1]), Pid, Pid, 0, []),
            new StartObservation(Id(fork), Child, Child, Pid, 0),
            // The child's call left no record: it died there.
            new SyscallObservation(Id(definition.Steps[3]), Pid, Pid, Child, killed),
            new EndObservation(Body.RootStep, Pid, Pid),
        ]);
        return CaseJudge.Judge(compiled, result, ReportSamples.Features(mode2: true), Profile);
    }

    [Test]
    public void A_child_that_died_after_a_step_the_model_could_not_judge_has_a_fate_the_model_cannot_say()
    {
        var verdict = JudgeChildKilled("buf", "[model, observe]", "[model, observe]");
        Assert.That(verdict.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(verdict));
        var wait = verdict.Checks.Single(c => c.Step.StartsWith("wait", StringComparison.Ordinal));
        Assert.That(wait.Judged, Is.False);
        Assert.That(wait.Expected, Does.Contain("cannot say how the child ends"));
        Assert.That(wait.Observed, Does.Contain("killed by signal 31"));

        // Asked of the model alone, that is the case's error, not a failure.
        verdict = JudgeChildKilled("buf", "[model, observe]", "model");
        Assert.That(verdict.Status, Is.EqualTo(CaseStatus.Error), HostRun.Explain(verdict));
    }

    [Test]
    public void A_child_that_died_where_every_step_was_judged_still_fails_its_wait()
    {
        // args[0] = 4 is known: the model says the call runs, so a death there is the kernel's doing.
        var verdict = JudgeChildKilled("4", "[model, observe]", "[model, observe]");
        Assert.That(verdict.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(verdict));
        var wait = verdict.Checks.Single(c => c.Step.StartsWith("wait", StringComparison.Ordinal));
        Assert.That(wait.Judged, Is.True);
        Assert.That(wait.Passed, Is.False, "the model expected the child to exit 0");
    }
}
