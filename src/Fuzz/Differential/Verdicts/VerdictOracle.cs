using Conformance.Machines.Protocol;
using Conformance.Model.Bpf;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using Conformance.Model.Task;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>
/// What the model says the FUZZ step must record, for the task it runs in: a thread (the worker's
/// main thread lives on beside it) with no_new_privs and a recording SIGSYS handler; with
/// <paramref name="listener"/> the stack's last filter has a listener the worker answers, with
/// <paramref name="tracer"/> a seccomp tracer resumes every stop unchanged (FUZZ's TRACER flag).
/// Nothing here encodes a kernel rule: the install and system-call models decide, this only writes
/// their answer in the agent's record format.
/// </summary>
public sealed class VerdictOracle(FuzzArch arch, KernelDescription kernel, bool prctl, bool listener = false, bool tracer = false)
{
    /// <summary>The install result the FUZZ step records for a filter it did not attempt.</summary>
    public const int NotAttempted = 1;

    InstallCall Call => prctl ? InstallCall.Prctl : InstallCall.Seccomp;

    /// <summary>A fresh fuzz thread of a new worker, before its installs.</summary>
    public TaskState FreshThread()
    {
        var main = new TaskState(arch.Abi, kernel.Profile) { Sigsys = SigsysDisposition.Handler };
        // With TRACER the worker is seized with TRACECLONE, so each fuzz thread has the tracer from its start.
        return main.SpawnThread() with { NoNewPrivs = true, SeccompTracer = tracer };
    }

    /// <summary>
    /// The expected result of each install, each decided on the task as the kernel really left it
    /// (so one wrong install is one discrepancy, not a cascade), and the thread after them.
    /// </summary>
    public (int[] Expected, TaskState Thread) Install(IReadOnlyList<Instruction[]> programs, IReadOnlyList<int> observed)
    {
        var task = FreshThread();
        var expected = new int[programs.Count];
        bool stopped = false;
        for (int i = 0; i < programs.Count; i++)
        {
            if (stopped)
            {
                expected[i] = NotAttempted;
                continue;
            }
            // With a listener the last filter gets one; the agent records its fd as 0.
            var flags = listener && i == programs.Count - 1 ? SeccompFilterFlags.NewListener : SeccompFilterFlags.None;
            var request = InstallRequest.Plain(Call, programs[i]) with { Flags = flags };
            var outcome = SeccompInstall.Decide(task, kernel, request);
            expected[i] = outcome.Accepted ? 0 : -outcome.Errno;
            int kernelSaid = i < observed.Count ? observed[i] : expected[i];
            if (kernelSaid == NotAttempted || kernelSaid < 0)
                stopped = true;
            else
                task = task.AfterInstall(request, kernelSaid);
        }
        return (expected, task);
    }

    /// <summary>The record the model predicts for one input, or null when the model has no answer (a filter Linux rejects is attached).</summary>
    public FuzzInputRecord? Expect(TaskState thread, FuzzInput input, VerdictSetup setup)
    {
        ulong ip = setup.Ips[input.Slot];
        var query = new SyscallQuery(arch.Abi, input.Nr, [.. input.Args.Select(a => (ulong?)a)], ip);
        var outcome = SeccompSyscall.Decide(thread, kernel, query);
        // The tracer resumes the call without changing a register: what it then does is the model's
        // answer for a resumed call, recorded after the stop's event message.
        if (outcome is TraceStop stop)
            return Record(input, SeccompSyscall.ResumeAfterTrace(thread, kernel, query), setup, ip)?.AfterTraceStop(stop.EventMessage);
        return Record(input, outcome, setup, ip);
    }

    FuzzInputRecord? Record(FuzzInput input, SyscallOutcome outcome, VerdictSetup setup, ulong ip)
    {
        switch (outcome)
        {
            case CallRuns:
                return FuzzInputRecord.Returned(input, setup.ReferenceFor(input.Nr));
            case ReturnsErrno e:
                return FuzzInputRecord.Returned(input, -e.Errno);
            case SigsysHandled h:
                return FuzzInputRecord.SigsysCaught(input, (long)(h.Info.ReturnValue ?? 0), h.Info.Errno, h.Info.Code, ip,
                    h.Info.Syscall, h.Info.Arch, h.Info.Signo) with { Flags = h.Info.Restarts ? FuzzInputRecord.RestartFlag : (ushort)0 };
            case UserNotification:
                // The worker answers the listener with NotificationAnswer, and notes the seccomp_data it saw.
                return FuzzInputRecord.Returned(input, FuzzInputRecord.NotificationAnswer) with
                {
                    Flags = FuzzInputRecord.NotifiedFlag, SiSyscall = input.Nr, SiArch = arch.AuditArch, SiCallAddr = ip,
                };
            case ThreadKilled:
                return FuzzInputRecord.ThreadDied(input);
            case ProcessKilled k:
                return FuzzInputRecord.ProcessDied(input, k.Signal);
            default:
                // LinuxRejectsFilter, CannotSay and SkippedByTracer leave nothing to compare;
                // a TraceStop is only met on a first pass (Expect).
                return null;
        }
    }
}
