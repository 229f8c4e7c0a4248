using System.Text;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Executor.Features;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using Conformance.Tests.Reports;

namespace Conformance.Tests.Catalogue;

/// <summary>
/// `cache: model` (docs/cases.md): a read of seccomp_cache judged against the model's action cache
/// for the reading task's filters. The listings here are written by hand from the filter, line by
/// line as kernel/seccomp.c proc_pid_seccomp_cache_arch prints them, never taken from the model.
/// </summary>
public class CacheMatcherTests
{
    const int Pid = 100, Ppid = 99, Tid2 = 101;
    /// <summary>x86_64 and ia32 both have 451 numbers on 6.1 (NR_syscalls, IA32_NR_syscalls).</summary>
    const int Count = 451;

    /// <summary>Denies x86_64 getpid (39) by number; the filter does not look at arch, so ia32 number 39 is denied too.</summary>
    const string Template = """
        id: cache/judge
        description: the cache after one nr-only filter
        needs: [filter, cache_debug]
        filters:
          no_getpid: |
            ld [nr]
            jeq #getpid, deny
            ret #ALLOW
            deny: ret #ERRNO(EPERM)
        steps:
          - nnp
          - install: no_getpid
          - read: /proc/self/seccomp_cache
            max: 32768
            expect: {cache: model}
        """;

    static KernelFeatures Features(params string[] more)
    {
        var f = ReportSamples.Features(mode2: true);
        return f with { Present = new HashSet<string>([.. f.Present, "cache_debug", .. more]) };
    }

    /// <summary>"NAME NR ALLOW|FILTER\n" for each number of each arch; `filtered` lists the FILTER numbers per arch.</summary>
    static string Listing(params (string Arch, int Count, int[] Filtered)[] arches)
    {
        var sb = new StringBuilder();
        foreach (var (arch, count, filtered) in arches)
            for (int nr = 0; nr < count; nr++)
                sb.Append($"{arch} {nr} {(filtered.Contains(nr) ? "FILTER" : "ALLOW")}\n");
        return sb.ToString();
    }

    static CaseVerdict Judge(string yaml, long fileRet, string text, KernelFeatures? features = null, string release = "6.1.0-56-cloud-amd64")
    {
        var definition = CaseLoader.Parse(yaml, "cache.yaml").Single();
        features ??= Features("compat");
        var compiled = CaseCompiler.Compile(definition, "x86_64", features);
        var ids = definition.Steps.Select(s => compiled.StepOf(s)!.Id).ToArray();
        var observations = new List<Observation> { new StartObservation(Body.RootStep, Pid, Pid, Ppid, 0) };
        foreach (var (step, id) in definition.Steps.Zip(ids))
            observations.Add(step is ReadStep
                ? new FileObservation(id, Pid, Pid, fileRet, Encoding.UTF8.GetBytes(text))
                : new SyscallObservation(id, Pid, Pid, 0, []));
        observations.Add(new EndObservation(Body.RootStep, Pid, Pid));
        var result = new CaseResult(1, TimedOut: false, Overflowed: false, AgentError: false, RootStatus: 0, TimeSpan.FromMilliseconds(3), observations);
        return CaseJudge.Judge(compiled, result, features with { Release = release }, KernelProfiles.ForRelease(release));
    }

    static CaseVerdict Judge(string text) => Judge(Template, Encoding.UTF8.GetByteCount(text), text);

    static Check CacheCheckOf(CaseVerdict v) => v.Checks.Single(c => c.Step == "read /proc/self/seccomp_cache");

    [Test]
    public void Cache_model_is_read_and_written_back()
    {
        var c = CaseLoader.Parse(Template, "cache.yaml").Single();
        var read = (ReadStep)c.Steps[2];
        Assert.That(read.Expect!.Alternatives.Single().Matcher!.Cache, Is.EqualTo(CacheMatch.Model));
        var yaml = CaseWriter.Write(c);
        Assert.That(yaml, Does.Contain("cache: model"));
        var back = (ReadStep)CaseLoader.Parse(yaml, "written.yaml").Single().Steps[2];
        Assert.That(back.Expect!.Alternatives.Single().Matcher!.Cache, Is.EqualTo(CacheMatch.Model));
        Assert.That(back.MaxLength, Is.EqualTo(32768u));
        Assert.That(back.Path, Is.EqualTo(CacheMatch.ProcessFile));
    }

    [TestCase("  - read: /proc/self/seccomp_cache\n    expect: {cache: yes}", "cache takes `model`")]
    [TestCase("  - read: /proc/self/status\n    expect: {cache: model}", "cache: judges a read of /proc/self/seccomp_cache")]
    [TestCase("  - read: /proc/1/seccomp_cache\n    expect: {cache: model}", "the reading task's own file")]
    [TestCase("  - call: getpid\n    expect: {cache: model}", "cache: judges a read")]
    [TestCase("  - call: getpid\n    allowed: {cache: model}", "not what an allowed call returns")]
    public void Cache_anywhere_but_a_read_of_the_tasks_own_file_is_an_error_at_its_line(string step, string message)
    {
        var e = Assert.Throws<CaseFormatException>(() => CaseLoader.Parse($"""
            id: t/cache
            description: misplaced cache matcher
            steps:
            {step}
            """, "bad.yaml"));
        Assert.That(e!.Message, Does.Contain(message).And.Contain("bad.yaml:5"));
    }

    [Test]
    public void A_listing_that_leaves_out_exactly_getpid_passes()
    {
        var v = Judge(Listing(("x86_64", Count, [39]), ("ia32", Count, [39])));
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
        var check = CacheCheckOf(v);
        Assert.That(check.FromModel, Is.True);
        Assert.That(check.Observed, Does.Contain("x86_64: 450 of 451 numbers cached, as the model says").And.Contain("ia32: 450 of 451"));
        Assert.That(check.Cache, Is.EqualTo(CacheDeparture.None));
    }

    [Test]
    public void A_listing_that_differs_names_the_numbers_each_side_caches_alone()
    {
        // The kernel caches getpid (39) and not sendfile (40) on x86_64; ia32 is right.
        var v = Judge(Listing(("x86_64", Count, [40]), ("ia32", Count, [39])));
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(v));
        var observed = CacheCheckOf(v).Observed;
        Assert.That(observed, Does.Contain("x86_64: 450 of 451 numbers cached; the kernel caches 1 the model does not: 39 getpid; the model caches 1 the kernel does not: 40 sendfile"));
        Assert.That(observed, Does.Contain("ia32: 450 of 451 numbers cached, as the model says"));
        Assert.That(v.Reason, Does.Contain("39 getpid"));
        Assert.That(CacheCheckOf(v).Cache, Is.EqualTo(CacheDeparture.KernelCachesMore | CacheDeparture.ModelCachesMore), "typed for the fuzzer's buckets");
        Assert.That(CacheCheckOf(v).Keyword, Is.EqualTo("read"));
    }

    [Test]
    public void An_ia32_listing_is_read_with_i386_names()
    {
        // i386 number 20 is getpid: the kernel leaving it out where the filter denies only 39 is reported by its i386 name.
        var v = Judge(Listing(("x86_64", Count, [39]), ("ia32", Count, [20, 39])));
        Assert.That(CacheCheckOf(v).Observed, Does.Contain("ia32: 449 of 451 numbers cached; the model caches 1 the kernel does not: 20 getpid"));
    }

    [Test]
    public void A_long_difference_is_counted_past_the_first_numbers()
    {
        var v = Judge(Listing(("x86_64", Count, [.. Enumerable.Range(0, Count)]), ("ia32", Count, [39])));
        Assert.That(CacheCheckOf(v).Observed, Does.Contain("the model caches 450 the kernel does not: 0 read, 1 write").And.Contain("... and 426 more"));
    }

    [Test]
    public void An_unreadable_file_fails_and_says_why()
    {
        var v = Judge(Template, -Errnos.EACCES, "");
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(v));
        Assert.That(CacheCheckOf(v).Observed, Does.Contain("EACCES").And.Contain("CAP_SYS_ADMIN"));
        v = Judge(Template, -Errnos.ENOENT, "");
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Fail));
        Assert.That(CacheCheckOf(v).Observed, Does.Contain("CONFIG_SECCOMP_CACHE_DEBUG"));
    }

    [Test]
    public void A_read_that_filled_its_max_may_be_cut_and_fails()
    {
        var text = Listing(("x86_64", Count, [39]));
        var v = Judge(Template, 32768, text);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(v));
        Assert.That(CacheCheckOf(v).Observed, Does.Contain("filled its max of 32768 bytes"));
    }

    [Test]
    public void A_listing_without_the_compat_bitmap_fails_where_the_kernel_runs_32_bit_code()
    {
        var nativeOnly = Listing(("x86_64", Count, [39]));
        var v = Judge(nativeOnly);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(v));
        Assert.That(CacheCheckOf(v).Observed, Does.Contain("x86_64 (451 numbers) only").And.Contain("prints the ia32 bitmap too"));
        // Without the compat feature a kernel may lack CONFIG_COMPAT: the native bitmap alone is right.
        v = Judge(Template, Encoding.UTF8.GetByteCount(nativeOnly), nativeOnly, Features());
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Pass), HostRun.Explain(v));
    }

    [TestCase("aarch64")]
    [TestCase("x32")]
    public void An_arch_a_x86_64_kernel_does_not_print_fails(string arch)
    {
        var v = Judge(Listing(("x86_64", Count, [39]), (arch, Count, [39])));
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(v));
        Assert.That(CacheCheckOf(v).Observed, Does.Contain("prints x86_64 then ia32"));
    }

    [Test]
    public void Text_that_is_not_a_listing_fails_at_its_line()
    {
        var v = Judge("x86_64 0 ALLOW\nx86_64 2 ALLOW\n");
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(v));
        Assert.That(CacheCheckOf(v).Observed, Does.Contain("line 2: x86_64 number 2 where 1 comes next"));
    }

    [Test]
    public void Without_a_filter_the_listing_must_be_empty()
    {
        var before = Template.Replace("  - nnp\n  - install: no_getpid\n", "");
        Assert.That(Judge(before, 0, "").Status, Is.EqualTo(CaseStatus.Pass));
        var text = Listing(("x86_64", Count, []), ("ia32", Count, []));
        var v = Judge(before, Encoding.UTF8.GetByteCount(text), text);
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(v));
        Assert.That(CacheCheckOf(v).Observed, Does.Contain("the task has no filter"));
        // And an empty listing for a task with a filter fails.
        v = Judge("");
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Fail), HostRun.Explain(v));
        Assert.That(CacheCheckOf(v).Observed, Does.Contain("an empty listing"));
    }

    [Test]
    public void A_profile_without_the_action_cache_is_the_cases_error_not_a_pass()
    {
        var text = Listing(("x86_64", Count, [39]), ("ia32", Count, [39]));
        var v = Judge(Template, Encoding.UTF8.GetByteCount(text), text, release: "5.10.0-32-cloud-amd64");
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Error), HostRun.Explain(v));
        Assert.That(v.Reason, Does.Contain("linux-5.10 has no action cache"));
    }

    [Test]
    public void Proc_self_read_by_a_thread_is_the_cases_error()
    {
        var yaml = """
            id: cache/thread
            description: a thread reads the leader's file
            needs: [filter, cache_debug]
            steps:
              - thread:
                  - read: /proc/self/seccomp_cache
                    max: 32768
                    expect: {cache: model}
                save: t
              - join: $t
            """;
        var definition = CaseLoader.Parse(yaml, "thread.yaml").Single();
        var features = Features("compat");
        var compiled = CaseCompiler.Compile(definition, "x86_64", features);
        var thread = definition.Steps[0];
        var threadId = compiled.StepOf(thread)!.Id;
        var readId = compiled.StepOf(((ThreadStep)thread).Body[0])!.Id;
        var joinId = compiled.StepOf(definition.Steps[1])!.Id;
        var observations = new List<Observation>
        {
            new StartObservation(Body.RootStep, Pid, Pid, Ppid, 0),
            new StartObservation(threadId, Pid, Tid2, Ppid, 0),
            new FileObservation(readId, Pid, Tid2, 0, []),
            new EndObservation(threadId, Pid, Tid2),
            new JoinObservation(joinId, Pid, Pid, Tid2, true),
            new EndObservation(Body.RootStep, Pid, Pid),
        };
        var result = new CaseResult(1, TimedOut: false, Overflowed: false, AgentError: false, RootStatus: 0, TimeSpan.FromMilliseconds(3), observations);
        var v = CaseJudge.Judge(compiled, result, features, KernelProfiles.ForRelease(features.Release));
        Assert.That(v.Status, Is.EqualTo(CaseStatus.Error), HostRun.Explain(v));
        Assert.That(v.Reason, Does.Contain("/proc/thread-self/seccomp_cache"));
    }

    [Test]
    public void An_unresolved_cache_matcher_never_passes()
    {
        var text = Listing(("x86_64", Count, [39]), ("ia32", Count, [39]));
        var view = new StepView([new FileObservation(1, Pid, Pid, text.Length, Encoding.UTF8.GetBytes(text))], false, null);
        var r = MatcherCheck.Evaluate(new Matcher { Cache = CacheMatch.Model }, view, new MatchContext(Pid, Pid, Ppid, -1, _ => null), _ => null);
        Assert.That(r.Passed, Is.False);
        Assert.That(r.Observed, Does.Contain("no model answer"));
    }
}
