using System.Text;
using Conformance.Executor.Features;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Tests.Executor;

/// <summary>
/// The feature probe's answers from a synthetic kernel, step by step, so a test can make one
/// witness lie and see what detection makes of it.
/// </summary>
sealed class ProbeKernel
{
    readonly Dictionary<ushort, Observation> _answers = [];

    /// <summary>A 6.x kernel with filter mode, every action and flag, both notification features.</summary>
    public static ProbeKernel WithFilters()
    {
        var k = new ProbeKernel()
            .Ret(FeatureProbe.PrctlNull, -Errnos.EFAULT).Ret(FeatureProbe.SeccompNull, -Errnos.EFAULT)
            .Ret(WitnessProbes.FilterPrctl, 0).Status("Seccomp:\t2\n").Ret(WitnessProbes.FilterSeccomp, 0)
            .File(FeatureProbe.ActionsSysctl, "kill_process kill_thread trap errno user_notif trace log allow\n")
            .Ret(FeatureProbe.NotifInstall, 4).Ret(FeatureProbe.NotifSendContinue, -Errnos.ENOENT).Ret(FeatureProbe.NotifAddfd, -Errnos.ENOENT)
            .Ret(NotificationRoundTrip.Install, 5).Ret(NotificationRoundTrip.Addfd, 6).Ret(NotificationRoundTrip.Continue, 0)
            .Ret(NotificationRoundTrip.Fallback, -Errnos.ENOENT).Ret(NotificationRoundTrip.CallerCall, 42);
        for (int i = 0; i < FeatureNames.Actions.Length; i++)
        {
            k.Ret((ushort)(FeatureProbe.ActionBase + i), 0).Ret(WitnessProbes.ActionStep(i, WitnessProbes.Install), 0);
            k.Effect(FeatureNames.Actions[i], FeatureNames.Actions[i]);
        }
        for (int i = 0; i < WitnessProbes.Flags.Length; i++)
            k.Ret((ushort)(FeatureProbe.FlagBase + i), -Errnos.EFAULT).Ret(WitnessProbes.FlagStep(i, WitnessProbes.Install), i == 3 ? 4 : 0);
        return k;
    }

    /// <summary>A kernel with CONFIG_SECCOMP but not CONFIG_SECCOMP_FILTER.</summary>
    public static ProbeKernel WithoutFilters()
    {
        var k = new ProbeKernel()
            .Ret(FeatureProbe.PrctlNull, -Errnos.EINVAL).Ret(FeatureProbe.SeccompNull, -Errnos.EINVAL)
            .Ret(WitnessProbes.FilterPrctl, -Errnos.EINVAL).Status("Seccomp:\t0\n").Ret(WitnessProbes.FilterSeccomp, -Errnos.EINVAL)
            .Ret(FeatureProbe.NotifInstall, -Errnos.EINVAL).Ret(FeatureProbe.NotifSendContinue, -Errnos.EBADF).Ret(FeatureProbe.NotifAddfd, -Errnos.EBADF)
            .Ret(NotificationRoundTrip.Install, -Errnos.EINVAL).Ret(NotificationRoundTrip.CallerCall, 42);
        for (int i = 0; i < FeatureNames.Actions.Length; i++)
            // GET_ACTION_AVAIL is built outside SECCOMP_FILTER and says yes to everything.
            k.Ret((ushort)(FeatureProbe.ActionBase + i), 0).Ret(WitnessProbes.ActionStep(i, WitnessProbes.Install), -Errnos.EINVAL)
                .Exit(WitnessProbes.ActionStep(i, WitnessProbes.Reap), 0);
        for (int i = 0; i < WitnessProbes.Flags.Length; i++)
            k.Ret((ushort)(FeatureProbe.FlagBase + i), -Errnos.EINVAL).Ret(WitnessProbes.FlagStep(i, WitnessProbes.Install), -Errnos.EINVAL);
        return k;
    }

    public ProbeKernel Ret(ushort step, long ret)
    {
        _answers[step] = new SyscallObservation(step, 7, 7, ret, []);
        return this;
    }

    public ProbeKernel File(ushort step, string text)
    {
        _answers[step] = new FileObservation(step, 7, 7, text.Length, Encoding.UTF8.GetBytes(text));
        return this;
    }

    public ProbeKernel Status(string text) => File(WitnessProbes.FilterStatus, text);

    /// <summary>What a filter returning <paramref name="action"/> does, done as the kernel does <paramref name="does"/>.</summary>
    public ProbeKernel Effect(string action, string does)
    {
        int i = Array.IndexOf(FeatureNames.Actions, action);
        ushort call = WitnessProbes.ActionStep(i, WitnessProbes.Call), reap = WitnessProbes.ActionStep(i, WitnessProbes.Reap);
        _answers.Remove(call);
        _answers.Remove((ushort)(call + 1000));
        switch (does)
        {
            case "KILL_PROCESS" or "KILL_THREAD":
                return Killed(reap, SIGSYS);
            case "TRAP":
                _answers[(ushort)(call + 1000)] = new SigInfoObservation(call, 7, 7, SIGSYS, 0, SYS_SECCOMP, 0, 0, 110, 0, 0, 0, 0, 0);
                return Ret(call, 110).Exit(reap, 0);
            case "ERRNO":
                return Ret(call, -WitnessProbes.ErrnoData).Exit(reap, 0);
            case "TRACE" or "USER_NOTIF":
                return Ret(call, -Errnos.ENOSYS).Exit(reap, 0);
            default:
                return Ret(call, 1).Exit(reap, 0);
        }
    }

    ProbeKernel Exit(ushort reap, int code) => Wait(reap, code << 8);
    ProbeKernel Killed(ushort reap, int signal) => Wait(reap, signal);

    ProbeKernel Wait(ushort reap, int status)
    {
        _answers[reap] = new SyscallObservation(reap, 7, 7, 8, BitConverter.GetBytes(status));
        return this;
    }

    public CaseResult Result() => new(FeatureProbe.CaseId, false, false, false, 0, TimeSpan.Zero, _answers.Values.ToList());

    public KernelFeatures Interpret() => FeatureProbe.Interpret(Result(), new Hello(0, 0, "fake", "x86_64", "6.1.0", "#1", 1, 0, []));
}
