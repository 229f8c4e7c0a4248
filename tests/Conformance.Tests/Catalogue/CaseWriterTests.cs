using System.Collections;
using System.Reflection;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Steps;
using Conformance.Machines.Host;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Text;

namespace Conformance.Tests.Catalogue;

/// <summary>A case written back out as YAML loads to the same agent programs and the same judging.</summary>
public class CaseWriterTests
{
    static string CasesFolder() => Path.GetFullPath(Path.Combine(AgentBinaries.NativeDirectory(), "..", "..", "cases"));

    static CaseDefinition RoundTrip(CaseDefinition c)
    {
        var yaml = CaseWriter.Write(c);
        try
        {
            return CaseLoader.Parse(yaml, c.Pos.File + ".written").Single();
        }
        catch (CaseFormatException e)
        {
            Assert.Fail($"{c.Id}: the written case does not load: {e.Message}\n{yaml}");
            throw;
        }
    }

    static void AssertEquivalent(CaseDefinition original, CaseDefinition written)
    {
        Assert.That(Fingerprint(written with { Pos = default }), Is.EqualTo(Fingerprint(original with { Pos = default })), $"{original.Id}: case data");
        foreach (var arch in new[] { "x86_64", "aarch64" })
        {
            if (!original.RunsOn(arch)) continue;
            var a = CaseCompiler.Compile(original, arch);
            var b = CaseCompiler.Compile(written, arch);
            Assert.That(b.Program, Is.EqualTo(a.Program), $"{original.Id} on {arch}: agent program");
            Assert.That(StepData(b), Is.EqualTo(StepData(a)), $"{original.Id} on {arch}: step data");
        }
    }

    /// <summary>What the judge reads of each compiled step, positions left out.</summary>
    static List<string> StepData(CompiledCase c) =>
        c.Steps.Values.OrderBy(s => s.Id).Select(s => $"{s.Id} {s.Abi} {s.Nr} {s.Internal} {Fingerprint(s.Step)} made={Fingerprint(s.Made)}").ToList();

    /// <summary>
    /// Public data of a case or step, recursively, without source positions, the display text of
    /// packed data (its bytes are compared) or delegates (a value constraint is compared by its text).
    /// </summary>
    static string Fingerprint(object? o) => o switch
    {
        null => "null",
        string s => $"\"{s}\"",
        byte[] bytes => Convert.ToHexString(bytes),
        StepKind k => k.Keyword,
        Delegate => "",
        SourcePosition => "",
        Enum or ValueType => o.ToString()!,
        IDictionary d => "{" + string.Join(", ", d.Keys.Cast<object>().OrderBy(k => k.ToString()).Select(k => $"{k}: {Fingerprint(d[k])}")) + "}",
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Fingerprint)) + "]",
        _ => o.GetType().Name + "(" + string.Join(", ", o.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && !(o is DataValue && p.Name == nameof(DataValue.Text)) && !(o is CaseDefinition && p.Name == nameof(CaseDefinition.EffectiveNeeds)))
            .Select(p => $"{p.Name}={Fingerprint(p.GetValue(o))}")) + ")",
    };

    [Test]
    public void Every_catalogue_case_is_written_and_read_back_to_the_same_programs_and_judging()
    {
        var cases = CaseLoader.LoadAll(CasesFolder());
        Assert.That(cases, Has.Count.GreaterThan(100));
        foreach (var c in cases)
            AssertEquivalent(c, RoundTrip(c));
    }

    [Test]
    public void Writing_is_stable_once_written()
    {
        foreach (var c in CaseLoader.LoadAll(CasesFolder()))
        {
            var once = CaseWriter.Write(c);
            Assert.That(CaseWriter.Write(CaseLoader.Parse(once, "w.yaml").Single()), Is.EqualTo(once), c.Id);
        }
    }

    /// <summary>One case with every kind and most of their keys, so a kind nobody uses yet still round-trips.</summary>
    const string EveryKind = """
        id: t/every_kind
        description: every step kind once
        needs: [filter]
        arch: [x86_64]
        timeout_ms: 20000
        filters:
          allow: "ret #ALLOW"
          notify: |
            ld [nr]
            jeq #getppid, user
            ret #ALLOW
            user: ret #USER_NOTIF
        steps:
          - nnp
          - strict:
            via: seccomp
            expect: {errno: EINVAL}
          - drop_caps: [SYS_ADMIN, CAP_NET_ADMIN]
          - drop_caps: all
            when: {feature: root}
          - setuid: 65534
          - rlimit_core: unlimited
          - signal: {SIGSYS: handler}
          - block: [SIGSYS, SIGUSR1]
          - unblock: [SIGUSR1]
          - pipe: [r, w]
          - install: allow
            via: seccomp
            flags: [LOG, 0x40]
            fprog: [filter-null, len=0]
            expect:
              - when: {profile: "<4.14"}
                errno: EINVAL
              - model
          - install: notify
            flags: [NEW_LISTENER]
            save: listener
          - call: getppid
            args: [-1, 0x7fff0000, "str:/proc/self/status", {u32: [1, 0xfedcba98]}, {bytes: [0, 255]}, $w+4]
            allowed: {ret: ">=0"}
            record: {at: buf+16, len: 8}
            expect: {trap: {errno: 5, syscall: getppid, arch: AUDIT_ARCH_X86_64, code: 1, ret: nr}, recorded: {u16: [80, 24]}}
          - call: 39
            abi: compat
            save: me
          - fork:
              - ptrace: SEIZE
                pid: ppid
                options: [TRACESECCOMP]
              - ptrace: SECCOMP_GET_FILTER
                pid: ppid
                index: 1
                data: null
              - ptrace: SECCOMP_GET_METADATA
                pid: ppid
                size: 8
                expect: {metadata: {flags: [LOG]}}
              - ptrace: GETEVENTMSG
                pid: ppid
              - exit: 3
            save: child
          - trace: $child
            resume: syscall
            max_stops: 8
            responses: [continue, {redirect: getpid}, {skip: -ESRCH, then: kill}, {set_arg: [0, 7]}, detach]
            expect: {stops: [{event: seccomp, msg: 0x1001, nr: getpid}], end: {exited: 0}}
          - wait: $child
            options: [WNOHANG]
            expect: {killed: SIGSYS, core: false}
          - thread:
              - notif_recv: $listener
                save: id
                expect: {notif: {nr: getppid, arch: AUDIT_ARCH_X86_64, args: [any, 1], pid: pid}}
              - notif_id_valid: $listener
                id: $id
                wrong_dir: true
              - notif_addfd: $listener
                id: $id
                srcfd: $r
                newfd: 9
                flags: [SETFD]
                newfd_flags: [CLOEXEC]
                size: 16
              - notif_send: $listener
                id: $id
                val: 5
                error: -EPERM
                flags: [CONTINUE]
              - set: $id+1
                save: shared.next
              - set_flag: 3
              - exit_thread: 0
            save: t
          - wait_flag: 3
            timeout_ms: 100
          - join: $t
            timeout_ms: 200
            expect: {done: true}
          - sleep_ms: 10
            when: {no_feature: printk_unlimited}
          - read: /proc/self/status
            max: 100
            nonblock: true
            expect: {contains: "Seccomp:", lacks: "x", matches: "[0-9]+"}
          - kmsg_mark
          - kmsg_read
          - mark: 7
            expect: {reached: true}
          - close: $listener
          - repeat: 2
            steps:
              - call: getpid
          - exec:
              - call: getpid
          - exec32:
              - call: getpid
                expect: {ret: pid}
          - exit: 0
        result: {exited: 0}
        """;

    [Test]
    public void Every_kind_round_trips()
    {
        var original = CaseLoader.Parse(EveryKind, "every.yaml").Single();
        var yaml = CaseWriter.Write(original);
        foreach (var kind in StepKinds.All.Where(k => k != StepKinds.Repeat))
            Assert.That(yaml, Does.Contain($"{kind.Keyword}"), $"the written case has a {kind.Keyword} step");
        Assert.That(yaml, Does.Not.Contain("repeat"), "repeat is written as its copies");
        AssertEquivalent(original, RoundTrip(original));
    }

    [Test]
    public void A_case_made_in_code_is_written_with_its_filter_disassembled()
    {
        var program = Assembler.Assemble("ld [nr]\njeq #39, deny\nret #ALLOW\ndeny: ret #ERRNO(1)", new AssembleOptions { Abi = Abi.X86_64 });
        var filter = FilterSource.FromProgram("found", program, Abi.X86_64);
        var install = CaseLoader.Parse($"""
            id: t/found
            description: what a fuzzer found
            filters:
              found: "ret #ALLOW"
            steps:
              - install: found
            """, "f.yaml").Single().Steps[0];
        var made = new CaseDefinition("fuzz/found", "a finding", default, [], ["x86_64"],
            new Dictionary<string, FilterSource> { ["found"] = filter },
            [new CallStep(default, "call prctl", new SyscallNameValue("prctl"), [new IntValue(38), new IntValue(1), new IntValue(0), new IntValue(0), new IntValue(0)]),
             install,
             new CallStep(default, "call getpid", new SyscallNameValue("getpid"), []) { Expect = Expectation.Model }]);
        var written = RoundTrip(made);
        Assert.That(CaseCompiler.Compile(written, "x86_64").Filters[("found", Abi.X86_64)], Is.EqualTo(program));
        AssertEquivalent(made, written);
    }

    [TestCase("call: getpid\n    max_stops: 3", "max_stops", "args")]
    [TestCase("nnp:\n    pid: 1", "pid", "nnp")]
    [TestCase("install: f\n    index: 1", "index", "fprog")]
    [TestCase("fork: []\n    expect: {exited: 0}", "expect", "save")]
    [TestCase("sleep_ms: 1\n    save: x", "save", "when")]
    [TestCase("trace: $c\n    id: 1", "id", "max_stops")]
    [TestCase("repeat: 2\n    steps: []\n    when: {arch: x86_64}", "when", "steps")]
    public void A_key_the_kind_does_not_take_is_an_error_at_its_line(string step, string key, string listed)
    {
        var e = Assert.Throws<CaseFormatException>(() => CaseLoader.Parse($"""
            id: t/keys
            description: a key on the wrong kind
            filters:
              f: "ret #ALLOW"
            steps:
              - {step}
            """, "k.yaml"))!;
        Assert.That(e.File, Is.EqualTo("k.yaml"));
        Assert.That(e.Line, Is.EqualTo(step.Split('\n').Length + 5));
        Assert.That(e.Column, Is.EqualTo(5));
        Assert.That(e.Reason, Does.Contain($"unknown key '{key}'").And.Contain(listed));
    }
}
