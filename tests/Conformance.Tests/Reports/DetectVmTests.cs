using System.Text.Json.Nodes;
using Conformance.Machines.Kernels;
using Conformance.Tests.Harness;
using Conformance.Tests.Vm;

namespace Conformance.Tests.Reports;

/// <summary>`conformance detect --json` booting real kernels in QEMU (TCG), through the real executable.</summary>
[TestFixture, Category("Vm"), NonParallelizable]
public class DetectVmTests
{
    static JsonObject Detect(params string[] args)
    {
        var (exit, stdout, stderr) = HarnessProcess.Run("", ["detect", .. args, "--json"]);
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout.TrimEnd('\n'), Does.Not.Contain("\n"), "one line on stdout: " + stdout);
        return JsonNode.Parse(stdout)!.AsObject();
    }

    static string[] Strings(JsonNode? array) => array!.AsArray().Select(a => a!.GetValue<string>()).ToArray();

    [TestCase(KernelArch.X86_64)]
    [TestCase(KernelArch.Aarch64)]
    public async Task Debian_6_1_cloud_kernels_have_mode_2_with_every_action_and_flag_of_6_1(KernelArch arch)
    {
        var kernel = await VmKernels.Debian61(arch);

        var json = Detect("--arch", arch.Name(), "--series", "6.1");

        Assert.That(json["release"]!.GetValue<string>(), Is.EqualTo(kernel.Release));
        Assert.That(json["arch"]!.GetValue<string>(), Is.EqualTo(arch.Name()));
        Assert.That(json["mode2"]!.GetValue<string>(), Is.EqualTo("supported"));
        Assert.That(json["prctl_null"]!.GetValue<string>(), Is.EqualTo("EFAULT"));
        Assert.That(json["seccomp_syscall"]!.GetValue<bool>(), Is.True);
        Assert.That(Strings(json["actions_avail"]), Is.EqualTo(new[] { "KILL_PROCESS", "KILL_THREAD", "TRAP", "ERRNO", "USER_NOTIF", "TRACE", "LOG", "ALLOW" }));
        // WAIT_KILLABLE_RECV came in 6.0, so 6.1 knows every flag there is.
        Assert.That(Strings(json["flags"]), Is.EqualTo(new[] { "TSYNC", "LOG", "SPEC_ALLOW", "NEW_LISTENER", "TSYNC_ESRCH", "WAIT_KILLABLE_RECV" }));
        Assert.That(json["boot_ms"]!.GetValue<long>(), Is.GreaterThan(0));
    }

    [Test]
    public async Task A_kernel_built_without_seccomp_filter_is_unsupported_with_EINVAL_and_lists_no_action()
    {
        var kernel = await VmKernels.NoSeccompFilter(KernelArch.X86_64);

        var json = Detect("--kernel", kernel.ImagePath, "--config", kernel.ConfigPath!);

        Assert.That(json["release"]!.GetValue<string>(), Is.EqualTo(kernel.Release));
        Assert.That(json["mode2"]!.GetValue<string>(), Is.EqualTo("unsupported"));
        Assert.That(json["prctl_null"]!.GetValue<string>(), Is.EqualTo("EINVAL"));
        Assert.That(json["seccomp_syscall"]!.GetValue<bool>(), Is.False, "seccomp(2) exists there but cannot set filter mode (EINVAL)");
        Assert.That(Strings(json["actions_avail"]), Is.Empty, "GET_ACTION_AVAIL answers without filters too; detect lists no action a filter cannot use");
        Assert.That(Strings(json["flags"]), Is.Empty);
    }
}
