using Conformance.Executor;
using Conformance.Fuzzing.Verdicts;
using Conformance.Machines.Host;
using Conformance.Machines.Protocol;
using Conformance.Model.Task;
using Conformance.Model.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conformance.Tests.Fuzzing;

/// <summary>
/// FUZZ's LISTENER flag on the host kernel: the last filter of a stack gets a listener the worker
/// answers, so USER_NOTIF is compared as the notification the listener saw and the answer the call
/// returned; a USER_NOTIF from a filter without a listener is still ENOSYS. The model predicts both.
/// </summary>
[Category("Host"), NonParallelizable]
public class FuzzListenerTests
{
    [Test]
    public async Task Notifications_reach_the_last_filters_listener_and_the_model_predicts_every_record()
    {
        var arch = FuzzArch.For("x86_64");
        await using var executor = new CaseExecutor(() => new HostMachine(), new ExecutorOptions { PoolSize = 1 }, NullLogger.Instance);
        var machine = await executor.StartAsync(CancellationToken.None);
        var notify400 = Assembler.Assemble("ld [0]\njeq #400, n, a\nn: ret #USER_NOTIF\na: ret #ALLOW");
        var notify401 = Assembler.Assemble("ld [0]\njeq #401, n, a\nn: ret #USER_NOTIF\na: ret #ALLOW");
        // Stack 0: one filter with the listener. Stack 1: 401 notifies in the first filter, which has none.
        var stacks = new[] { new FilterStack([notify400]), new FilterStack([notify401, notify400]) };
        var inputs = new[] { 400, 401, 400, 402 }.Select((nr, i) => new FuzzInput((uint)i, nr, [0x11, 0x22, 0x33, 0x44, 0x55, (ulong)i], (byte)(i % 2))).ToList();

        var p = new ProgramBuilder();
        var fuzzStacks = stacks.Select(s => FuzzStack.Explicit([.. s.Programs(arch).Select(p.AddFilter)], inputs)).ToArray();
        p.Root(b => b.Fuzz(1, FuzzFlags.Detail | FuzzFlags.Listener, arch.HarmlessNumbers, [0UL], arch.SlotIps, fuzzStacks));
        var run = await executor.SubmitAsync(new CaseRequest(1, TimeSpan.FromSeconds(30), p.Build()), CancellationToken.None);

        Assert.That(run.Result!.TimedOut, Is.False);
        var setupObs = run.Result.Of<FuzzSetupObservation>().Single();
        var setup = new VerdictSetup([.. setupObs.Slots.Select(s => s.Ip)], [.. setupObs.Slots.Select(s => s.Mapped)],
            arch.HarmlessNumbers.Select((n, i) => (n, setupObs.References[i])).ToDictionary(x => x.n, x => x.Item2));
        var oracle = new VerdictOracle(arch, Conformance.Executor.Features.KernelDescriptions.Of(machine.Features, machine.Profile), prctl: false, listener: true);
        for (int s = 0; s < stacks.Length; s++)
        {
            var installs = run.Result.Of<FuzzStackObservation>().Single(o => o.Stack == s).Installs;
            Assert.That(installs, Is.All.EqualTo(0), "the listener's fd is recorded as 0");
            var (_, thread) = oracle.Install(stacks[s].Programs(arch), installs);
            var records = run.Result.Of<FuzzInputObservation>().Where(o => o.Stack == s).Select(o => o.Record).ToList();
            for (int i = 0; i < inputs.Count; i++)
                Assert.That(records[i], Is.EqualTo(oracle.Expect(thread, inputs[i], setup)), $"stack {s}: {records[i]}");
        }
        var first = run.Result.Of<FuzzInputObservation>().Where(o => o.Stack == 0).Select(o => o.Record).ToList();
        Assert.That(first[0].Flags, Is.EqualTo(FuzzInputRecord.NotifiedFlag));
        Assert.That(first[0].Value, Is.EqualTo(FuzzInputRecord.NotificationAnswer));
        Assert.That(first[0].SiSyscall, Is.EqualTo(400));
        var second = run.Result.Of<FuzzInputObservation>().Where(o => o.Stack == 1).Select(o => o.Record).ToList();
        Assert.That(second[1].Value, Is.EqualTo(-38), "401 notifies in a filter with no listener: ENOSYS");
        Assert.That(second[2].Flags, Is.EqualTo(FuzzInputRecord.NotifiedFlag), "400 reaches the last filter's listener");
    }
}
