using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;

namespace Conformance.Tests.Catalogue;

/// <summary>Cases name kernel constants from the generated tables, by their full names only.</summary>
public class ConstantNameTests
{
    static CaseDefinition Load(string args) => CaseLoader.Parse($$"""
        id: t/names
        description: constant names
        steps:
          - call: prctl
            args: {{args}}
        """, "t.yaml")[0];

    static byte[] Program(string args, string arch) => CaseCompiler.Compile(Load(args), arch).Program;

    [TestCase("PR_GET_NO_NEW_PRIVS", 39)]
    [TestCase("SECCOMP_GET_NOTIF_SIZES", 3)]
    [TestCase("PTRACE_O_TRACESECCOMP", 0x80)]
    [TestCase("SECCOMP_IOCTL_NOTIF_RECV", 0xc0502100)]
    [TestCase("CAP_SYS_ADMIN", 21)]
    [TestCase("AUDIT_ARCH_AARCH64", 0xc00000b7)]
    [TestCase("CLONE_NEWUSER", 0x10000000)]
    [TestCase("-AT_FDCWD", 100)]
    [TestCase("SECCOMP_RET_KILL_PROCESS", 0x80000000)]
    [TestCase("EPERM", 1)]
    public void A_named_constant_compiles_to_its_number(string name, long value)
    {
        foreach (var arch in new[] { "x86_64", "aarch64" })
            Assert.That(Program($"[{name}]", arch), Is.EqualTo(Program($"[{value}]", arch)), arch);
    }

    [Test]
    public void A_short_name_is_refused_and_the_full_one_suggested()
    {
        var e = Assert.Throws<CaseFormatException>(() => Load("[GET_NO_NEW_PRIVS, 0, 0, 0, 0]"))!;
        Assert.That(e.Message, Does.Contain("t.yaml:5"));
        Assert.That(e.Message, Does.Contain("PR_GET_NO_NEW_PRIVS"));
    }

    [Test]
    public void A_misspelt_name_fails_with_its_line_and_the_nearest_name()
    {
        var e = Assert.Throws<CaseFormatException>(() => Load("[PR_GET_NO_NEW_PRIV, 0, 0, 0, 0]"))!;
        Assert.That(e.Message, Does.Contain("t.yaml:5"));
        Assert.That(e.Message, Does.Contain("did you mean PR_GET_NO_NEW_PRIVS?"));
    }

    [Test]
    public void A_name_whose_value_depends_on_the_abi_is_refused()
    {
        var e = Assert.Throws<CaseFormatException>(() => Load("[RLIM_INFINITY]"))!;
        Assert.That(e.Message, Does.Contain("not one number on every ABI"));
    }

    [Test]
    public void Names_resolve_wherever_a_constant_is_read()
    {
        Assert.That(CaseValues.TryParseConstant("PR_SET_NO_NEW_PRIVS", out var v) ? v : -1, Is.EqualTo(38));
        Assert.That(CaseValues.TryParseConstant("pr_set_no_new_privs", out _), Is.False, "C names are case-sensitive");
        var e = Assert.Throws<CaseFormatException>(() => CaseValues.ParseConstant("SECCOMP_MODE_FILTR", m => new CaseFormatException("t.yaml", 1, 1, m)))!;
        Assert.That(e.Message, Does.Contain("SECCOMP_MODE_FILTER"));
    }
}
