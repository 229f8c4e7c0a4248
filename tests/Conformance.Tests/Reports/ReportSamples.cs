using Conformance.Executor.Features;
using Conformance.Catalogue.Judge;
using Conformance.Catalogue.Run;
using Conformance.Model.Seccomp;

namespace Conformance.Tests.Reports;

/// <summary>Hand-made case reports and machines, so report writers can be checked without a kernel.</summary>
static class ReportSamples
{
    public static KernelFeatures Features(bool mode2, string release = "6.1.0-56-cloud-amd64") => new()
    {
        Release = release,
        Machine = "x86_64",
        PrctlNullErrno = mode2 ? Errnos.EFAULT : Errnos.EINVAL,
        SeccompNullErrno = mode2 ? Errnos.EFAULT : Errnos.EINVAL,
        // GET_ACTION_AVAIL answers every action on a kernel without filters too (it is built outside SECCOMP_FILTER).
        ActionsAvail = FeatureNames.Actions,
        FilterFlags = mode2 ? ["TSYNC", "LOG", "SPEC_ALLOW", "NEW_LISTENER", "TSYNC_ESRCH"] : [],
        Present = mode2
            ? new HashSet<string>(["filter", "seccomp_syscall", .. FeatureNames.Actions.Select(a => "action:" + a),
                "flag:TSYNC", "flag:LOG", "flag:SPEC_ALLOW", "flag:NEW_LISTENER", "flag:TSYNC_ESRCH"])
            : new HashSet<string>(["root"]),
        Facts = new Dictionary<string, string> { ["euid"] = "0" },
    };

    public static MachineReport Machine(string arch = "x86_64", string release = "6.1.0-56-cloud-amd64", bool mode2 = true) =>
        new($"qemu/{arch}/{release}", "qemu", arch, release, "#1 SMP Debian", Features(mode2, release), KernelProfiles.ForRelease(release),
            TimeSpan.FromMilliseconds(4321), new Dictionary<string, string>());

    public static CaseReport Pass(string id) =>
        Report(id, new CaseVerdict(id, CaseStatus.Pass, "", [new Check("call getpid", "cases/x.yaml:9:5", "ret pid (model)", "ret 7", true, true)]));

    public static CaseReport Skip(string id, string reason = "needs flag:WAIT_KILLABLE_RECV") => Report(id, CaseVerdict.Skipped(id, reason));

    public static CaseReport Fail(string id) => Report(id, new CaseVerdict(id, CaseStatus.Fail,
        "call read: expected errno E2BIG (model), observed ret -1 (EPERM)",
        [
            new Check("install deny_read", "cases/x.yaml:12:5", "ret 0 (stated)", "ret 0", true, false),
            new Check("call read", "cases/x.yaml:14:5", "errno E2BIG (model: ERRNO(7))", "ret -1 (EPERM)", false, true),
        ]));

    /// <summary>An error whose console excerpt holds what could fool CI parsers: a KTAP-like line and control characters.</summary>
    public static CaseReport Error(string id) => Report(id, CaseVerdict.Errored(id, "Panic: Kernel panic - not syncing: Fatal exception"),
        "[    3.1] ok 12 some_kselftest\n[    3.2] \u001b[31mKernel panic - not syncing: Fatal exception\u001b[0m\n\u0007bell\n");

    static CaseReport Report(string id, CaseVerdict v, string? console = null) =>
        new(null, id, $"what {id} checks", "cases/x.yaml", v, TimeSpan.FromMilliseconds(12.5), console);

    /// <summary>Every kind of outcome, with ids whose slugs collide and an id with a dot.</summary>
    public static IReadOnlyList<CaseReport> Mixed() =>
    [
        Pass("actions/errno/e2big"),
        Skip("flags/wait_killable_recv"),
        Fail("actions/errno/read-denied"),
        Error("crash/lkdtm.panic"),
        Pass("a/b_c"),
        Pass("a_b/c"),
        Pass("a/b/c"),
        Fail("toplevel"),
    ];

    public static RunSummary Summarize(IEnumerable<CaseReport> reports)
    {
        var list = reports.ToList();
        return new RunSummary(list.Count(r => r.Verdict.Status == CaseStatus.Pass), list.Count(r => r.Verdict.Status == CaseStatus.Fail),
            list.Count(r => r.Verdict.Status == CaseStatus.Skip), list.Count(r => r.Verdict.Status == CaseStatus.Error), TimeSpan.FromSeconds(3.5));
    }

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "conformance-reports-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
