using Conformance.Catalogue.Judge;

namespace Conformance.Tests.Catalogue;

/// <summary>
/// The judge follows a death across the threads of one process: KILL_PROCESS in one thread ends the
/// others wherever they are, and KILL_THREAD in the main thread of a multi-threaded process ends it alone.
/// </summary>
[Category("Host")]
public class ThreadDeathOnHostTests
{
    const string KillProcessFromThread = """
        id: t/kill-process-from-thread
        description: a second thread's KILL_PROCESS ends the main thread in its join
        needs: [filter, action:KILL_PROCESS]
        filters:
          kill_getppid: |
            ld [nr]
            jeq #getppid, kill
            ret #ALLOW
            kill: ret #KILL_PROCESS
        steps:
          - fork:
              - nnp
              - install: kill_getppid
              - thread:
                  - call: getppid
                    expect: model
                save: t
              - join: $t
              - mark: 1
                expect: {reached: false}
            save: child
          - wait: $child
            expect: model
        """;

    [Test]
    public void A_thread_killing_its_process_is_the_process_fate_the_model_predicts()
    {
        var v = HostRun.One(KillProcessFromThread);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
        var wait = v.Checks.Single(c => c.Step.StartsWith("wait", StringComparison.Ordinal));
        Assert.That(wait.FromModel, Is.True);
        Assert.That(wait.Expected, Does.Contain("killed by SIGSYS").And.Contain("another thread"));
        var join = v.Checks.Single(c => c.Step.StartsWith("join", StringComparison.Ordinal));
        Assert.That(join.Expected, Does.Contain("killed by SIGSYS"));
    }

    [Test]
    public void Stating_that_the_process_survives_a_thread_kill_process_fails()
    {
        var v = HostRun.One(KillProcessFromThread.Replace("  - wait: $child\n    expect: model", "  - wait: $child\n    expect: {exited: 0}"));
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(v));
        Assert.That(v.Reason, Does.Contain("wait $child: expected exited 0"));
    }

    [Test]
    public void Kill_thread_in_the_main_thread_of_a_threaded_process_ends_only_that_thread()
    {
        var v = HostRun.One("""
            id: t/kill-thread-main
            description: KILL_THREAD in the main thread while a second thread lives
            needs: [filter, action:KILL_THREAD]
            filters:
              kill_getppid: |
                ld [nr]
                jeq #getppid, kill
                ret #ALLOW
                kill: ret #KILL_THREAD
            steps:
              - fork:
                  - nnp
                  - install: kill_getppid
                  - thread:
                      - wait_flag: 1
                      - sleep_ms: 50
                      - mark: 2
                        expect: {reached: true}
                    save: t
                  - set_flag: 1
                  - call: getppid
                    expect: model
                save: child
              - wait: $child
                expect: model
            """);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
        var call = v.Checks.Single(c => c.Step == "call getppid");
        Assert.That(call.Expected, Does.Contain("only the thread killed"));
        var wait = v.Checks.Single(c => c.Step.StartsWith("wait", StringComparison.Ordinal));
        Assert.That(wait.Expected, Does.Contain("exited 0"));
    }
}
