namespace Conformance.Tests.Harness;

/// <summary>`conformance check` end to end: verdict, errno, reason and exit code.</summary>
public class CheckVerbTests
{
    static string Write(string text)
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"check-{Guid.NewGuid():n}.bpf");
        File.WriteAllText(path, text);
        return path;
    }

    [Test]
    public void An_accepted_filter_exits_0()
    {
        var (exit, stdout, _) = HarnessProcess.Run("", "check", Write("ld [nr]\njeq #getpid, deny\nret #ALLOW\ndeny: ret #ERRNO(1)\n"), "--arch", "x86_64");
        Assert.That(exit, Is.EqualTo(0));
        Assert.That(stdout, Does.Contain("accepted (4 instructions"));
    }

    [Test]
    public void A_rejected_filter_names_the_errno_the_rule_and_the_instruction_and_exits_1()
    {
        var (exit, stdout, _) = HarnessProcess.Run("", "check", Write("ld [nr]\nld M[3]\nret a\n"));
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stdout, Does.Contain("EINVAL").And.Contain("UninitializedScratch").And.Contain("insn 1"));
    }

    [Test]
    public void A_c_array_is_read_too_and_the_profile_matters()
    {
        var file = Write("{ 0x04, 0, 0, 0x00000003 }, /* xor is add here: 0xa4 */\n{ 0xa4, 0, 0, 0x00000003 },\n{ 0x16, 0, 0, 0x00000000 },\n");
        Assert.That(HarnessProcess.Run("", "check", file).Exit, Is.EqualTo(0));
        var (exit, stdout, _) = HarnessProcess.Run("", "check", file, "--profile", "precise");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stdout, Does.Contain("NotAllowedInSeccomp"));
    }

    [Test]
    public void An_unreadable_filter_exits_2_with_file_line_and_column()
    {
        var file = Write("ld [nr]\nlda #1\n");
        var (exit, _, stderr) = HarnessProcess.Run("", "check", file);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(file + ":2:"));
    }
}
