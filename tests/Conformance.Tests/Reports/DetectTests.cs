using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Executor.Features;
using Conformance.Catalogue.Reports;
using Conformance.Tests.Harness;

namespace Conformance.Tests.Reports;

/// <summary>detect's JSON contract, and detect on the host kernel through the real executable.</summary>
public class DetectTests
{
    // The documented fields keep their order; the witnesses come after them.
    static readonly string[] Keys = ["release", "arch", "mode2", "prctl_null", "seccomp_syscall", "actions_avail", "flags", "boot_ms", "witnesses", "disagreements"];

    [Test]
    public void The_json_is_one_line_with_the_documented_fields_in_order()
    {
        var d = KernelDetection.From(ReportSamples.Features(mode2: true), "x86_64", TimeSpan.FromMilliseconds(2345.9));
        var line = d.ToJsonLine();
        Assert.That(line, Does.Not.Contain("\n"));
        var json = JsonNode.Parse(line)!.AsObject();
        Assert.That(json.Select(kv => kv.Key), Is.EqualTo(Keys));
        Assert.That(json["release"]!.GetValue<string>(), Is.EqualTo("6.1.0-56-cloud-amd64"));
        Assert.That(json["arch"]!.GetValue<string>(), Is.EqualTo("x86_64"));
        Assert.That(json["mode2"]!.GetValue<string>(), Is.EqualTo("supported"));
        Assert.That(json["prctl_null"]!.GetValue<string>(), Is.EqualTo("EFAULT"));
        Assert.That(json["seccomp_syscall"]!.GetValueKind(), Is.EqualTo(JsonValueKind.True));
        Assert.That(json["actions_avail"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EqualTo(FeatureNames.Actions));
        Assert.That(json["flags"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EqualTo(new[] { "TSYNC", "LOG", "SPEC_ALLOW", "NEW_LISTENER", "TSYNC_ESRCH" }));
        Assert.That(json["boot_ms"]!.GetValue<long>(), Is.EqualTo(2345));
    }

    [Test]
    public void Without_mode_2_no_action_is_listed_although_get_action_avail_said_yes_to_all()
    {
        var features = ReportSamples.Features(mode2: false);
        Assert.That(features.ActionsAvail, Is.Not.Empty, "the sample has what such a kernel answers");
        var json = JsonNode.Parse(KernelDetection.From(features, "x86_64", null).ToJsonLine())!.AsObject();
        Assert.That(json["mode2"]!.GetValue<string>(), Is.EqualTo("unsupported"));
        Assert.That(json["prctl_null"]!.GetValue<string>(), Is.EqualTo("EINVAL"));
        Assert.That(json["seccomp_syscall"]!.GetValueKind(), Is.EqualTo(JsonValueKind.False));
        Assert.That(json["actions_avail"]!.AsArray(), Is.Empty);
        Assert.That(json["flags"]!.AsArray(), Is.Empty);
        Assert.That(json["boot_ms"], Is.Null);
    }

    [Test]
    public void Results_json_describes_the_kernel_in_the_same_words_as_detect()
    {
        var dir = ReportSamples.TempDir();
        try
        {
            foreach (var mode2 in new[] { true, false })
            {
                var path = Path.Combine(dir, $"results-{mode2}.json");
                var machine = ReportSamples.Machine(mode2: mode2);
                new ResultsJson(path).OnMachine(machine);
                var features = JsonNode.Parse(File.ReadAllText(path))!["kernel"]!["features"]!;
                var detected = KernelDetection.From(machine.Features, machine.Arch, machine.BootTime).ToJson();
                foreach (var key in new[] { "mode2", "prctl_null", "seccomp_syscall", "actions_avail", "flags" })
                    Assert.That(JsonNode.DeepEquals(features[key], detected[key]), Is.True, $"{key}: {features[key]} vs {detected[key]}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test, Category("Host")]
    public void Detect_on_the_host_prints_one_json_line_about_the_running_kernel()
    {
        var (exit, stdout, stderr) = HarnessProcess.Run("", "detect", "--host", "--json");
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout.TrimEnd('\n'), Does.Not.Contain("\n"), "exactly one line on stdout");
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.That(json.Select(kv => kv.Key), Is.EqualTo(Keys));
        Assert.That(json["release"]!.GetValue<string>(), Is.EqualTo(File.ReadAllText("/proc/sys/kernel/osrelease").Trim()));
        Assert.That(json["arch"]!.GetValue<string>(), Is.EqualTo(System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "aarch64" : "x86_64"));
        // CI's and this machine's kernels (6.x) have mode 2, seccomp(2), every action and the flags since 5.x.
        Assert.That(json["mode2"]!.GetValue<string>(), Is.EqualTo("supported"));
        Assert.That(json["prctl_null"]!.GetValue<string>(), Is.EqualTo("EFAULT"));
        Assert.That(json["seccomp_syscall"]!.GetValue<bool>(), Is.True);
        Assert.That(json["actions_avail"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EqualTo(FeatureNames.Actions));
        Assert.That(json["flags"]!.AsArray().Select(a => a!.GetValue<string>()), Is.SupersetOf(new[] { "TSYNC", "LOG", "SPEC_ALLOW", "NEW_LISTENER", "TSYNC_ESRCH" }));
        Assert.That(json["boot_ms"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(0));
        Assert.That(json["disagreements"]!.AsArray(), Is.Empty);
        Assert.That(json["witnesses"]!["filter"]!.AsArray().Select(w => w!["says"]!.GetValue<string>()), Is.All.EqualTo("present"));
    }

    [Test, Category("Host")]
    public void Detect_without_json_prints_the_same_facts_as_a_table()
    {
        var (exit, stdout, stderr) = HarnessProcess.Run("", "detect", "--host");
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Match(@"(?m)^mode 2 \(filters\) +supported$"));
        Assert.That(stdout, Does.Match(@"(?m)^prctl\(SET_SECCOMP, 2, NULL\) +EFAULT$"));
        Assert.That(stdout, Does.Match(@"(?m)^actions +KILL_PROCESS KILL_THREAD TRAP ERRNO USER_NOTIF TRACE LOG ALLOW$"));
    }

    [Test]
    public void Detect_exits_2_on_a_harness_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-kernel-" + Guid.NewGuid().ToString("N"));
        var (exit, stdout, stderr) = HarnessProcess.Run("", "detect", "--kernel", missing, "--json");
        Assert.That(exit, Is.EqualTo(2), stdout + stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Contain(missing));

        (exit, _, stderr) = HarnessProcess.Run("", "detect", "--host", "--arch", "aarch64");
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--host"));
    }
}
