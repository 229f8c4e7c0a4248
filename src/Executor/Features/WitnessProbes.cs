using System.Buffers.Binary;
using Conformance.Machines.Protocol;
using Conformance.Model.Bpf;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Executor.Features;

/// <summary>
/// The feature probe's second witnesses: each uses the feature for real in a throwaway child (a
/// filter installed with prctl and with seccomp(2), one filter per action whose effect is observed,
/// one install per filter flag), so no skip rests on the NULL-argument answers alone.
/// </summary>
internal static class WitnessProbes
{
    internal const ushort FilterFork = 300, FilterNnp = 301, FilterPrctl = 302, FilterStatus = 303, FilterSeccomp = 304, FilterReap = 305;
    const ushort ActionBase = 400, FlagBase = 500;
    internal const ushort Fork = 0, Nnp = 1, Install = 2, Call = 3, Thread = 4, Join = 5, Reap = 6, Handler = 7;
    const uint WaitStatusAt = 4096;
    internal const int ErrnoData = 77;

    /// <summary>Filter flags with the bits a real install of each uses (WAIT_KILLABLE_RECV only exists with a listener).</summary>
    internal static readonly (string Name, uint Flags)[] Flags =
    [
        ("TSYNC", (uint)SeccompFilterFlags.Tsync), ("LOG", (uint)SeccompFilterFlags.Log), ("SPEC_ALLOW", (uint)SeccompFilterFlags.SpecAllow),
        ("NEW_LISTENER", (uint)SeccompFilterFlags.NewListener), ("TSYNC_ESRCH", (uint)SeccompFilterFlags.TsyncEsrch),
        ("WAIT_KILLABLE_RECV", (uint)(SeccompFilterFlags.NewListener | SeccompFilterFlags.WaitKillableRecv)),
    ];

    internal static ushort ActionStep(int action, ushort part) => (ushort)(ActionBase + action * 10 + part);
    internal static ushort FlagStep(int flag, ushort part) => (ushort)(FlagBase + flag * 10 + part);

    public static void Emit(ProgramBuilder p, Body b, Abi abi, int allowAll)
    {
        int Nr(string name) => SyscallTable.NumberOf(abi, name);
        int getppid = Nr("getppid");
        void SetNnp(Body c, ushort step) =>
            c.Syscall(step, Nr("prctl"), Operand.Imm(PR_SET_NO_NEW_PRIVS), Operand.Imm(1), Operand.Imm(0), Operand.Imm(0), Operand.Imm(0));
        // The root waits for each child before the next, keeping its wait status for the effect witnesses.
        void ReapRecording(ushort step) => b.Call(step, Nr("wait4"),
            [Operand.Reg(1), Operand.Scratch(WaitStatusAt), Operand.Imm(0x40000000), Operand.Null], null, CallAbi.Native, 4, Operand.Scratch(WaitStatusAt));

        b.Fork(FilterFork, Dest.Reg(1), c =>
        {
            SetNnp(c, FilterNnp);
            c.Syscall(FilterPrctl, Nr("prctl"), Operand.Imm(PR_SET_SECCOMP), Operand.Imm(SECCOMP_MODE_FILTER), Operand.FProg(allowAll));
            c.ReadFile(FilterStatus, Operand.Blob(p.AddString("/proc/self/status")), 16384);
            c.Syscall(FilterSeccomp, Nr("seccomp"), Operand.Imm(SECCOMP_SET_MODE_FILTER), Operand.Imm(0), Operand.FProg(allowAll));
        });
        ReapRecording(FilterReap);

        for (int i = 0; i < FeatureNames.Actions.Length; i++)
        {
            var name = FeatureNames.Actions[i];
            SeccompRet.TryParse(name, out var action);
            uint ret = SeccompRet.ValueOf(action) | (name == "ERRNO" ? (uint)ErrnoData : 0);
            int filter = p.AddFilter([new(0x20, 0, 0, 0), new(0x15, 0, 1, (uint)getppid), new(0x06, 0, 0, ret), new(0x06, 0, 0, SeccompRet.Allow)]);
            int a = i;
            b.Fork(ActionStep(a, Fork), Dest.Reg(1), c =>
            {
                // A SIGSYS with si_code SYS_SECCOMP is what only TRAP delivers; an unknown action kills instead.
                if (name == "TRAP") c.SigAction(ActionStep(a, Handler), SIGSYS, SignalDisposition.RecordingHandler);
                SetNnp(c, ActionStep(a, Nnp));
                c.Syscall(ActionStep(a, Install), Nr("prctl"), Operand.Imm(PR_SET_SECCOMP), Operand.Imm(SECCOMP_MODE_FILTER), Operand.FProg(filter));
                // An unknown action kills only the calling thread: KILL_PROCESS is told apart by a thread's call killing the process.
                if (name == "KILL_PROCESS")
                {
                    c.Thread(ActionStep(a, Thread), Dest.Reg(2), t => t.Syscall(ActionStep(a, Call), getppid));
                    c.Join(ActionStep(a, Join), Operand.Reg(2), 5000);
                }
                else
                    c.Syscall(ActionStep(a, Call), getppid);
            });
            ReapRecording(ActionStep(a, Reap));
        }

        for (int i = 0; i < Flags.Length; i++)
        {
            int f = i;
            b.Fork(FlagStep(f, Fork), Dest.Reg(1), c =>
            {
                SetNnp(c, FlagStep(f, Nnp));
                c.Syscall(FlagStep(f, Install), Nr("seccomp"), Operand.Imm(SECCOMP_SET_MODE_FILTER), Operand.Imm(Flags[f].Flags), Operand.FProg(allowAll));
            });
            ReapRecording(FlagStep(f, Reap));
        }
    }

    /// <summary>The witnesses of mode 2 and seccomp(2) that install a real allow-everything filter.</summary>
    public static (Witness Filter, Witness Status, Witness Seccomp) ReadFilter(ProbeAnswers r)
    {
        var prctl = r.Ret(FilterPrctl);
        var filter = new Witness("allow-all filter installed with prctl in a child", prctl switch
        {
            0 => Sighting.Present,
            -Errnos.EINVAL => Sighting.Absent,
            _ => Sighting.Silent,
        }, ProbeAnswers.Describe(prctl));
        var seccomp = r.Ret(FilterSeccomp);
        var viaSeccomp = new Witness("allow-all filter installed with seccomp(2) in a child", seccomp switch
        {
            0 => Sighting.Present,
            -Errnos.EINVAL or -Errnos.ENOSYS => Sighting.Absent,
            _ => Sighting.Silent,
        }, ProbeAnswers.Describe(seccomp));
        var line = r.File(FilterStatus) is { Ret: > 0 } f ? StatusField(f.Text, "Seccomp:") : null;
        var status = new Witness("/proc/self/status Seccomp: after that install", line switch
        {
            "2" => Sighting.Present,
            null when r.File(FilterStatus) is null => Sighting.Silent,
            _ => Sighting.Absent,
        }, line is null ? "no Seccomp: line" : "Seccomp: " + line);
        return (filter, status, viaSeccomp);
    }

    /// <summary>What a filter returning each action really did to a child's getppid.</summary>
    public static Witness ReadAction(ProbeAnswers r, int index)
    {
        var name = FeatureNames.Actions[index];
        var who = $"a filter returning {name} in a child";
        var install = r.Ret(ActionStep(index, Install));
        if (install != 0)
            return new Witness(who, Sighting.Silent, "install " + ProbeAnswers.Describe(install));
        var call = r.Ret(ActionStep(index, Call));
        var status = r.Recorded(ActionStep(index, Reap)) is { Length: >= 4 } bytes
            ? new WaitStatus(BinaryPrimitives.ReadInt32LittleEndian(bytes)) : (WaitStatus?)null;
        bool killedBySigsys = status is { Signaled: true, TermSignal: SIGSYS };
        bool seen = name switch
        {
            "KILL_PROCESS" or "KILL_THREAD" => killedBySigsys,
            "TRAP" => r.SigInfos.Any(s => s.StepId >= ActionStep(index, 0) && s.StepId <= ActionStep(index, 9) && s.Signo == SIGSYS && s.Code == SYS_SECCOMP),
            "ERRNO" => call == -ErrnoData,
            "TRACE" or "USER_NOTIF" => call == -Errnos.ENOSYS,
            _ => call > 0,
        };
        var trapped = r.SigInfos.Any(s => s.StepId >= ActionStep(index, 0) && s.StepId <= ActionStep(index, 9)) ? "SIGSYS caught, " : "";
        var answer = trapped + (call is { } c ? "getppid " + ProbeAnswers.Describe(c) + ", " : "") + "child " + (status?.ToString() ?? "not reaped");
        return new Witness(who, seen ? Sighting.Present : Sighting.Absent, answer);
    }

    /// <summary>A real install of an allow-everything filter with the flag, in a child.</summary>
    public static Witness ReadFlag(ProbeAnswers r, int index)
    {
        var ret = r.Ret(FlagStep(index, Install));
        return new Witness($"allow-all filter installed with {Flags[index].Name} in a child", ret switch
        {
            >= 0 => Sighting.Present,
            -Errnos.EINVAL or -Errnos.ENOSYS => Sighting.Absent,
            _ => Sighting.Silent,
        }, ProbeAnswers.Describe(ret));
    }

    static string? StatusField(string status, string name) =>
        status.Split('\n').FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?[name.Length..].Trim();
}
