using System.Buffers.Binary;
using Conformance.Machines.Protocol;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Executor.Features;

/// <summary>
/// The first case every machine runs: it asks the kernel what it has (mode 2, seccomp(2), actions,
/// flags, compat, privileges, files) without changing anything, and <see cref="Interpret"/> turns the
/// answers into <see cref="KernelFeatures"/>. Probes that need a filter run in a throwaway child.
/// </summary>
public static class FeatureProbe
{
    public const uint CaseId = 0;

    internal const ushort PrctlNull = 1, SeccompNull = 2, ActionsSysctl = 3, LoggedSysctl = 4, Status = 5, CapLast = 6,
        Kcmp = 7, LoginUid = 8, Kmsg = 9, UserNs = 10, SeccompCache = 11, Jit = 12, CompatFork = 13, CompatExec = 14,
        CompatMark = 15, Int80Fork = 16, Int80Call = 17, NotifFork = 18, NotifNnp = 19, NotifInstall = 20,
        NotifSendContinue = 21, NotifAddfd = 22, NotifStore = 23, Reaps = 24, CorePattern = 25, PrintkRatelimit = 26,
        NotifAddfdSend = 27;
    internal const ushort ActionBase = 100, FlagBase = 200;

    /// <summary>A notification id no listener ever handed out, so the ioctls answer ENOENT when they exist.</summary>
    const long UnknownNotificationId = 0x5eed5eed;

    static readonly (string Name, uint Flags)[] FlagProbes = WitnessProbes.Flags;

    public static CaseRequest Request(string arch, bool helperPresent)
    {
        var abi = arch == "aarch64" ? Abi.Aarch64 : Abi.X86_64;
        int Nr(string name) => SyscallTable.NumberOf(abi, name);
        var p = new ProgramBuilder();
        int allowAll = p.AddFilter([new(0x06, 0, 0, SeccompRet.Allow)]);
        int Str(string s) => p.AddString(s);
        p.Root(b =>
        {
            b.Syscall(PrctlNull, Nr("prctl"), Operand.Imm(PR_SET_SECCOMP), Operand.Imm(SECCOMP_MODE_FILTER), Operand.Null);
            b.Syscall(SeccompNull, Nr("seccomp"), Operand.Imm(SECCOMP_SET_MODE_FILTER), Operand.Imm(0), Operand.Null);
            for (int i = 0; i < FeatureNames.Actions.Length; i++)
            {
                SeccompRet.TryParse(FeatureNames.Actions[i], out var action);
                b.Store((ushort)(ActionBase + i), 4, Operand.Scratch(0), Operand.Imm(SeccompRet.ValueOf(action)));
                b.Syscall((ushort)(ActionBase + i), Nr("seccomp"), Operand.Imm(SECCOMP_GET_ACTION_AVAIL), Operand.Imm(0), Operand.Scratch(0));
            }
            for (int i = 0; i < FlagProbes.Length; i++)
                b.Syscall((ushort)(FlagBase + i), Nr("seccomp"), Operand.Imm(SECCOMP_SET_MODE_FILTER), Operand.Imm(FlagProbes[i].Flags), Operand.Null);
            b.ReadFile(ActionsSysctl, Operand.Blob(Str("/proc/sys/kernel/seccomp/actions_avail")), 4096);
            b.ReadFile(LoggedSysctl, Operand.Blob(Str("/proc/sys/kernel/seccomp/actions_logged")), 4096);
            b.ReadFile(Status, Operand.Blob(Str("/proc/self/status")), 16384);
            b.ReadFile(CapLast, Operand.Blob(Str("/proc/sys/kernel/cap_last_cap")), 64);
            b.Syscall(Kcmp, Nr("kcmp"), Operand.Pid, Operand.Pid, Operand.Imm(0), Operand.Imm(0), Operand.Imm(0));
            b.ReadFile(LoginUid, Operand.Blob(Str("/proc/self/loginuid")), 64);
            b.ReadFile(Kmsg, Operand.Blob(Str("/dev/kmsg")), 8192, nonblock: true);
            b.ReadFile(UserNs, Operand.Blob(Str("/proc/self/ns/user")), 1);
            b.ReadFile(SeccompCache, Operand.Blob(Str("/proc/self/seccomp_cache")), 1);
            b.ReadFile(Jit, Operand.Blob(Str("/proc/sys/net/core/bpf_jit_enable")), 64);
            b.ReadFile(CorePattern, Operand.Blob(Str("/proc/sys/kernel/core_pattern")), 256);
            b.ReadFile(PrintkRatelimit, Operand.Blob(Str("/proc/sys/kernel/printk_ratelimit")), 64);
            // The root waits for every child: what a case leaves running when its root ends is killed.
            void Reap(ushort step) => b.Syscall(step, Nr("wait4"), Operand.Reg(1), Operand.Null, Operand.Imm(0x40000000), Operand.Null);
            if (helperPresent)
            {
                b.Fork(CompatFork, Dest.Reg(1), c => c.Exec(CompatExec, ExecImage.CompatHelper, h => h.Mark(CompatMark, 1)));
                Reap(Reaps);
            }
            if (abi == Abi.X86_64)
            {
                b.Fork(Int80Fork, Dest.Reg(1), c => c.Call(Int80Call, SyscallTable.NumberOf(Abi.I386, "getpid"), [], null, CallAbi.Compat));
                Reap(Reaps);
            }
            WitnessProbes.Emit(p, b, abi, allowAll);
            NotificationRoundTrip.Emit(p, b, abi);
            // Probes that need a listener run in a child that installs an allow-everything filter.
            b.Fork(NotifFork, Dest.Reg(1), c =>
            {
                c.Syscall(NotifNnp, Nr("prctl"), Operand.Imm(PR_SET_NO_NEW_PRIVS), Operand.Imm(1), Operand.Imm(0), Operand.Imm(0), Operand.Imm(0));
                c.Syscall(NotifInstall, Nr("seccomp"), Dest.Reg(0), Operand.Imm(SECCOMP_SET_MODE_FILTER), Operand.Imm((long)SeccompFilterFlags.NewListener), Operand.FProg(allowAll));
                // SEND with CONTINUE for an id nobody has: ENOENT if the flag is known, EINVAL if not.
                const uint resp = 0, addfd = 64, addfdSend = 96;
                c.Store(NotifStore, 8, Operand.Scratch(resp + SeccompNotifRespLayout.Id), Operand.Imm(UnknownNotificationId));
                c.Store(NotifStore, 8, Operand.Scratch(resp + SeccompNotifRespLayout.Val), Operand.Imm(0));
                c.Store(NotifStore, 4, Operand.Scratch(resp + SeccompNotifRespLayout.Error), Operand.Imm(0));
                c.Store(NotifStore, 4, Operand.Scratch(resp + SeccompNotifRespLayout.Flags), Operand.Imm(SECCOMP_USER_NOTIF_FLAG_CONTINUE));
                c.Syscall(NotifSendContinue, Nr("ioctl"), Operand.Reg(0), Operand.Imm(SECCOMP_IOCTL_NOTIF_SEND), Operand.Scratch(resp));
                // ADDFD for an id nobody has: ENOENT if the ioctl exists, EINVAL if not.
                c.Store(NotifStore, 8, Operand.Scratch(addfd + SeccompNotifAddfdLayout.Id), Operand.Imm(UnknownNotificationId));
                c.Store(NotifStore, 8, Operand.Scratch(addfd + SeccompNotifAddfdLayout.Flags), Operand.Imm(0));
                c.Store(NotifStore, 8, Operand.Scratch(addfd + SeccompNotifAddfdLayout.Newfd), Operand.Imm(0));
                c.Syscall(NotifAddfd, Nr("ioctl"), Operand.Reg(0), Operand.Imm(SECCOMP_IOCTL_NOTIF_ADDFD), Operand.Scratch(addfd));
                // ADDFD with SEND (5.14) for an id nobody has: ENOENT if the flag is known, EINVAL if not.
                // srcfd is the listener, an fd that exists, so fget does not answer EBADF first.
                c.Store(NotifStore, 8, Operand.Scratch(addfdSend + SeccompNotifAddfdLayout.Id), Operand.Imm(UnknownNotificationId));
                c.Store(NotifStore, 4, Operand.Scratch(addfdSend + SeccompNotifAddfdLayout.Flags), Operand.Imm(SECCOMP_ADDFD_FLAG_SEND));
                c.Store(NotifStore, 4, Operand.Scratch(addfdSend + SeccompNotifAddfdLayout.Srcfd), Operand.Reg(0));
                c.Store(NotifStore, 8, Operand.Scratch(addfdSend + SeccompNotifAddfdLayout.Newfd), Operand.Imm(0));
                c.Syscall(NotifAddfdSend, Nr("ioctl"), Operand.Reg(0), Operand.Imm(SECCOMP_IOCTL_NOTIF_ADDFD), Operand.Scratch(addfdSend));
            });
            Reap(Reaps);
        });
        return new CaseRequest(CaseId, TimeSpan.FromSeconds(20), p.Build());
    }

    public static KernelFeatures Interpret(CaseResult r, Hello hello)
    {
        var answers = new ProbeAnswers(r);
        long? Ret(ushort step) => answers.Ret(step);
        FileObservation? File(ushort step) => answers.File(step);
        bool Exists(ushort step) => File(step) is { } f && f.Ret >= 0;
        // Opening is what counts for files that refuse plain reads (nsfs, a kmsg record larger than the buffer).
        bool Openable(ushort step) => File(step) is { } f && f.Ret is not (-Errnos.ENOENT or -Errnos.EACCES or -Errnos.EPERM);

        var present = new HashSet<string>();
        var facts = new Dictionary<string, string>();
        var witnessed = new List<FeatureWitnesses>();
        FeatureWitnesses Decide(string feature, params Witness[] witnesses)
        {
            var w = new FeatureWitnesses(feature, witnesses);
            witnessed.Add(w);
            if (w.Present) present.Add(feature);
            return w;
        }
        int prctlErrno = (int)-(Ret(PrctlNull) ?? 0), seccompErrno = (int)-(Ret(SeccompNull) ?? 0);
        facts["prctl(PR_SET_SECCOMP, 2, NULL)"] = Errnos.Name(prctlErrno);
        facts["seccomp(SET_MODE_FILTER, 0, NULL)"] = Errnos.Name(seccompErrno);
        var (realFilter, status2, realSeccomp) = WitnessProbes.ReadFilter(answers);
        var filter = Decide("filter",
            new Witness("prctl(PR_SET_SECCOMP, 2, NULL)", prctlErrno switch
            {
                Errnos.EFAULT => Sighting.Present,
                Errnos.EINVAL => Sighting.Absent,
                _ => Sighting.Silent,
            }, Errnos.Name(prctlErrno)),
            // Without CONFIG_SECCOMP_FILTER seccomp(2) exists and answers EINVAL; without seccomp(2) it cannot tell.
            new Witness("seccomp(SET_MODE_FILTER, 0, NULL)", seccompErrno switch
            {
                Errnos.EFAULT => Sighting.Present,
                Errnos.EINVAL => Sighting.Absent,
                _ => Sighting.Silent,
            }, Errnos.Name(seccompErrno)),
            realFilter, status2);
        Decide("seccomp_syscall",
            new Witness("seccomp(SET_MODE_FILTER, 0, NULL)", seccompErrno switch
            {
                Errnos.EFAULT => Sighting.Present,
                Errnos.EINVAL or Errnos.ENOSYS => Sighting.Absent,
                _ => Sighting.Silent,
            }, Errnos.Name(seccompErrno)),
            realSeccomp);

        var actions = new List<string>();
        for (int i = 0; i < FeatureNames.Actions.Length; i++)
            if (Ret((ushort)(ActionBase + i)) == 0) actions.Add(FeatureNames.Actions[i]);
        var sysctlActions = File(ActionsSysctl) is { Ret: > 0 } sysctl
            ? sysctl.Text.Split([' ', '\n', '\0'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a => a.ToUpperInvariant()).Select(a => a == "KILL" ? "KILL_THREAD" : a).ToList()
            : null;
        if (actions.Count == 0 && sysctlActions is not null) actions.AddRange(sysctlActions);
        facts["SECCOMP_GET_ACTION_AVAIL"] = string.Join(" ", actions);
        for (int i = 0; i < FeatureNames.Actions.Length; i++)
        {
            var name = FeatureNames.Actions[i];
            var avail = Ret((ushort)(ActionBase + i));
            // Action availability is compiled outside SECCOMP_FILTER: it proves nothing about filters (seccomp-semantics §6).
            var listed = new Witness("SECCOMP_GET_ACTION_AVAIL", !filter.Present ? Sighting.Silent : avail switch
            {
                0 => Sighting.Present,
                -Errnos.EOPNOTSUPP => Sighting.Absent,
                _ => Sighting.Silent,
            }, ProbeAnswers.Describe(avail));
            var named = new Witness("/proc/sys/kernel/seccomp/actions_avail", !filter.Present || sysctlActions is null
                ? Sighting.Silent
                : sysctlActions.Contains(name) ? Sighting.Present : Sighting.Absent, sysctlActions is null ? "unreadable" : sysctlActions.Contains(name) ? "listed" : "not listed");
            Decide("action:" + name, listed, named, WitnessProbes.ReadAction(answers, i));
        }

        var flags = new List<string>();
        for (int i = 0; i < FlagProbes.Length; i++)
        {
            var nullProbe = Ret((ushort)(FlagBase + i));
            var seen = Decide("flag:" + FlagProbes[i].Name,
                new Witness($"seccomp(SET_MODE_FILTER, {FlagProbes[i].Name}, NULL)", nullProbe switch
                {
                    -Errnos.EFAULT => Sighting.Present,
                    -Errnos.EINVAL or -Errnos.ENOSYS => Sighting.Absent,
                    _ => Sighting.Silent,
                }, ProbeAnswers.Describe(nullProbe)),
                WitnessProbes.ReadFlag(answers, i));
            if (seen.Present) flags.Add(FlagProbes[i].Name);
        }

        var status = File(Status)?.Text ?? "";
        var uid = Field(status, "Uid:")?.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
        var capEff = Field(status, "CapEff:");
        ulong? capEffective = capEff is not null && ulong.TryParse(capEff.Trim(), System.Globalization.NumberStyles.HexNumber, null, out var eff) ? eff : null;
        bool capSysAdmin = (capEffective & (1UL << CAP_SYS_ADMIN)) is > 0;
        if (uid == "0" && capSysAdmin) present.Add("root");
        if (status.Contains("Seccomp_filters:", StringComparison.Ordinal)) present.Add("status_filters");
        facts["euid"] = uid ?? "?";
        facts["CapEff"] = capEff?.Trim() ?? "?";

        int capLast = int.TryParse(File(CapLast)?.Text.Trim(), out var cl) ? cl : 40;
        if (Ret(Kcmp) is { } k && k != -Errnos.ENOSYS) { present.Add("kcmp"); present.Add("checkpoint_restore"); }
        if (Exists(LoginUid) && Openable(Kmsg)) present.Add("audit");
        if (Openable(UserNs)) present.Add("user_ns");
        if (File(SeccompCache) is { } sc && sc.Ret != -Errnos.ENOENT) present.Add("cache_debug");
        if (File(Jit) is { Ret: >= 0 } jit) facts["bpf_jit_enable"] = jit.Text.Trim();
        // Audit records go through printk_ratelimit(); the agent as a VM's init turns the limit off.
        if (File(PrintkRatelimit) is { Ret: > 0 } rl)
        {
            facts["printk_ratelimit"] = rl.Text.Trim();
            if (rl.Text.Trim() == "0") present.Add("printk_unlimited");
        }
        if (File(CorePattern) is { Ret: > 0 } core)
        {
            // A bare file name is written in the dumper's working directory, which a case can choose,
            // and only then does RLIMIT_CORE alone decide (a pipe helper is started even at limit 0).
            var pattern = core.Text.Trim();
            facts["core_pattern"] = pattern;
            if (pattern.Length > 0 && !pattern.StartsWith('|') && !pattern.Contains('/')) present.Add("core_file");
        }
        if (File(ActionsSysctl) is { Ret: >= 0 } av) facts["actions_avail"] = av.Text.Trim();
        if (File(LoggedSysctl) is { Ret: >= 0 } lg) facts["actions_logged"] = lg.Text.Trim();

        if (answers.Marks.Any(m => m.StepId == CompatMark)) present.Add("compat");
        if (Ret(Int80Call) is > 0) present.Add("int80");
        // Without a listener there is nothing to send to: a refused listener install sees both features missing.
        var listenerRet = Ret(NotifInstall);
        Witness Listener() => new("listener installed with NEW_LISTENER in a child",
            listenerRet is -Errnos.EINVAL or -Errnos.ENOSYS ? Sighting.Absent : Sighting.Silent, ProbeAnswers.Describe(listenerRet));
        Witness UnknownId(string name, long? ret) => new(name + " for an unknown id", ret switch
        {
            -Errnos.ENOENT => Sighting.Present,
            -Errnos.EINVAL => Sighting.Absent,
            _ => Sighting.Silent,
        }, ProbeAnswers.Describe(ret));
        Decide("notif_continue", UnknownId("NOTIF_SEND with CONTINUE", Ret(NotifSendContinue)), Listener(), NotificationRoundTrip.ReadContinue(answers));
        Decide("notif_addfd", UnknownId("NOTIF_ADDFD", Ret(NotifAddfd)), Listener(), NotificationRoundTrip.ReadAddfd(answers));
        // ADDFD's SEND flag (5.14): ENOENT for an unknown id when the flag is known, EINVAL when it is not.
        Decide("notif_addfd_send", UnknownId("NOTIF_ADDFD with SEND", Ret(NotifAddfdSend)), Listener());

        return new KernelFeatures
        {
            Release = hello.Release,
            Machine = hello.Machine,
            PrctlNullErrno = prctlErrno,
            SeccompNullErrno = seccompErrno,
            Present = present,
            ActionsAvail = actions,
            FilterFlags = flags,
            CapLastCap = capLast,
            CapEffective = capEffective,
            Facts = facts,
            Witnessed = witnessed,
        };
    }

    static string? Field(string status, string name)
    {
        foreach (var line in status.Split('\n'))
            if (line.StartsWith(name, StringComparison.Ordinal))
                return line[name.Length..].Trim();
        return null;
    }
}
