using System.Text;
using System.Text.Json;
using Conformance.Model.Eval;
using Conformance.Model.Seccomp;

namespace Conformance.Tests.Harness;

/// <summary>The `eval` JSON Lines contract that scripts and the fuzzer rely on.</summary>
public class EvalTests
{
    const string GetppidErrno7 = "[[32,0,0,0],[21,0,1,110],[6,0,0,327687],[6,0,0,2147418112]]";

    static JsonElement Answer(string line, KernelProfile? profile = null) =>
        JsonDocument.Parse(new EvalEngine(profile ?? KernelProfiles.Default).Answer(line)).RootElement;

    [Test]
    public void An_answer_names_install_results_action_data_ret_and_the_winning_filter()
    {
        var a = Answer($$"""{"arch":"x86_64","nr":110,"args":[0,0,0,0,0,0],"filters":[{{GetppidErrno7}}]}""");
        Assert.That(a.GetProperty("install").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 0 }));
        Assert.That(a.GetProperty("action").GetString(), Is.EqualTo("ERRNO"));
        Assert.That(a.GetProperty("data").GetInt32(), Is.EqualTo(7));
        Assert.That(a.GetProperty("ret").GetUInt32(), Is.EqualTo(0x50007u));
        Assert.That(a.GetProperty("filter").GetInt32(), Is.EqualTo(0));
    }

    [Test]
    public void Rejected_filters_report_their_errno_and_are_not_attached()
    {
        var a = Answer($$"""{"arch":"x86_64","nr":110,"filters":[[[32,0,0,1],[6,0,0,0]],{{GetppidErrno7}},[]]}""");
        Assert.That(a.GetProperty("install").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 22, 0, 22 }));
        Assert.That(a.GetProperty("filter").GetInt32(), Is.EqualTo(1), "indexes count every filter given, attached or not");
    }

    [Test]
    public void No_attached_filter_means_allow_from_filter_minus_one()
    {
        var a = Answer("""{"arch":"aarch64","nr":172,"filters":[]}""");
        Assert.That(a.GetRawText(), Is.EqualTo("""{"install":[],"action":"ALLOW","data":0,"ret":2147418112,"filter":-1}"""));
    }

    [Test]
    public void Args_and_ip_are_unsigned_64_bit_and_unknown_fields_are_ignored()
    {
        // ld [args_hi[5]] (60); ret a
        var a = Answer("""{"arch":"i386","nr":1,"args":[0,0,0,0,0,18446744073709551615],"ip":1,"comment":"x","filters":[[[32,0,0,60],[22,0,0,0]]]}""");
        Assert.That(a.GetProperty("ret").GetUInt32(), Is.EqualTo(0xffffffffu));
        Assert.That(a.GetProperty("action").GetString(), Is.EqualTo("KILL_PROCESS"));
        var ip = Answer("""{"arch":"arm","nr":1,"ip":81985529216486895,"filters":[[[32,0,0,12],[22,0,0,0]]]}""");
        Assert.That(ip.GetProperty("ret").GetUInt32(), Is.EqualTo(0x01234567u));
    }

    [TestCase("""{"nr":1,"filters":[]}""", "arch")]
    [TestCase("""{"arch":"mips","nr":1,"filters":[]}""", "arch")]
    [TestCase("""{"arch":"x86_64","filters":[]}""", "nr")]
    [TestCase("""{"arch":"x86_64","nr":1}""", "filters")]
    [TestCase("""{"arch":"x86_64","nr":1,"filters":[[[1,2,3]]]}""", "filters[0][0]")]
    [TestCase("""{"arch":"x86_64","nr":1,"filters":[[[65536,0,0,0]]]}""", "code")]
    [TestCase("""{"arch":"x86_64","nr":1,"args":[1,2,3,4,5,6,7],"filters":[]}""", "args")]
    [TestCase("""[1,2]""", "object")]
    [TestCase("""{"arch":""", "JSON")]
    public void A_malformed_line_gets_an_error_naming_the_problem(string line, string mentions)
    {
        var a = Answer(line);
        Assert.That(a.TryGetProperty("error", out var e), Is.True, a.GetRawText());
        Assert.That(e.GetString(), Does.Contain(mentions));
    }

    [Test]
    public void The_profile_changes_the_answer()
    {
        const string line = """{"arch":"x86_64","nr":1,"filters":[[[6,0,0,2147483648]]]}""";
        Assert.That(Answer(line).GetProperty("action").GetString(), Is.EqualTo("KILL_PROCESS"));
        Assert.That(Answer(line, KernelProfiles.Linux4_9).GetProperty("action").GetString(), Is.EqualTo("KILL_THREAD"));
    }

    [Test]
    public void A_hundred_thousand_lines_come_back_in_order_one_per_line()
    {
        var input = new StringBuilder();
        for (int i = 0; i < 100_000; i++)
            input.Append($$"""{"arch":"x86_64","nr":{{i % 400}},"filters":[{{GetppidErrno7}}]}""").Append('\n');
        var output = new MemoryStream();
        var count = new EvalEngine(KernelProfiles.Default).Run(new MemoryStream(Encoding.UTF8.GetBytes(input.ToString())), output);
        Assert.That(count, Is.EqualTo(100_000));
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(100_000));
        for (int i = 0; i < lines.Length; i += 997)
            Assert.That(lines[i], Does.Contain(i % 400 == 110 ? "\"ERRNO\"" : "\"ALLOW\""), $"line {i}");
    }

    [Test]
    public void The_verb_reads_stdin_and_keeps_going_after_a_bad_line()
    {
        var stdin = $$"""
            {"arch":"x86_64","nr":110,"filters":[{{GetppidErrno7}}]}
            garbage

            {"arch":"x86_64","nr":39,"filters":[{{GetppidErrno7}}]}
            """;
        var (exit, stdout, stderr) = HarnessProcess.Run(stdin, "eval");
        Assert.That(exit, Is.EqualTo(0), stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(4));
        Assert.That(lines[0], Does.Contain("\"ERRNO\""));
        Assert.That(lines[1], Does.StartWith("{\"error\":"));
        Assert.That(lines[2], Is.EqualTo("{\"error\":\"empty line\"}"));
        Assert.That(lines[3], Does.Contain("\"ALLOW\""));
    }

    [Test]
    public void The_verb_rejects_an_unknown_profile_with_exit_2()
    {
        var (exit, _, stderr) = HarnessProcess.Run("", "eval", "--profile", "linux-1.0");
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("unknown profile"));
    }
}
