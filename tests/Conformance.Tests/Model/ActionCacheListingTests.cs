using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using static Conformance.Tests.Model.Bpf;

namespace Conformance.Tests.Model;

/// <summary>/proc/PID/seccomp_cache as kernel/seccomp.c (6.1) prints it, and the arches each kernel keeps a bitmap for.</summary>
public class ActionCacheListingTests
{
    [Test]
    public void Each_kernel_prints_its_native_bitmap_then_its_compat_one()
    {
        // arch/x86/include/asm/seccomp.h: SECCOMP_ARCH_NATIVE_NAME "x86_64", SECCOMP_ARCH_COMPAT_NAME "ia32"
        // (AUDIT_ARCH_I386); arch/arm64/include/asm/seccomp.h: "aarch64", "arm" (AUDIT_ARCH_ARM).
        Assert.That(ActionCacheListing.Arches(Abi.X86_64).Select(a => (a.Name, a.AuditArch, a.Compat)),
            Is.EqualTo(new[] { ("x86_64", AuditArch.X86_64, false), ("ia32", AuditArch.I386, true) }));
        Assert.That(ActionCacheListing.Arches(Abi.Aarch64).Select(a => (a.Name, a.AuditArch, a.Compat)),
            Is.EqualTo(new[] { ("aarch64", AuditArch.Aarch64, false), ("arm", AuditArch.Arm, true) }));
    }

    [Test]
    public void X32_has_no_bitmap_of_its_own()
    {
        // "x32 will have __X32_SYSCALL_BIT set in syscall number. We don't support caching them".
        Assert.That(ActionCacheListing.Arches(Abi.X86_64).Select(a => a.Name), Has.No.Member("x32"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ActionCacheListing.Arches(Abi.X32));
    }

    [Test]
    public void Lines_are_name_number_and_allow_or_filter_in_blocks_from_zero()
    {
        // proc_pid_seccomp_cache_arch: seq_printf(m, "%s %d %s\n", name, nr, cached ? "ALLOW" : "FILTER").
        Assert.That(ActionCacheListing.TryParse("x86_64 0 ALLOW\nx86_64 1 FILTER\nia32 0 FILTER\n", out var blocks, out var error), Is.True, error);
        Assert.That(blocks.Select(b => b.Arch), Is.EqualTo(new[] { "x86_64", "ia32" }));
        Assert.That(blocks[0].Cached, Is.EqualTo(new[] { true, false }));
        Assert.That(blocks[1].Cached, Is.EqualTo(new[] { false }));
    }

    [Test]
    public void An_empty_file_is_a_task_without_a_filter()
    {
        Assert.That(ActionCacheListing.TryParse("", out var blocks, out _), Is.True);
        Assert.That(blocks, Is.Empty);
        Assert.That(ActionCacheListing.Expected([], [(ActionCacheListing.Arches(Abi.X86_64)[0], 451)], KernelProfiles.Linux6_1), Is.Empty);
    }

    [TestCase("x86_64 0 ALLOW", "newline")]
    [TestCase("x86_64 0 ALLOW\nx86_64 1 allow\n", "line 2")]
    [TestCase("x86_64 0 ALLOW\nx86_64 -1 ALLOW\n", "line 2")]
    [TestCase("x86_64 0  ALLOW\n", "line 1")]
    [TestCase("x86_64 1 ALLOW\n", "number 1 where 0 comes next")]
    [TestCase("x86_64 0 ALLOW\nia32 0 ALLOW\nx86_64 1 ALLOW\n", "x86_64 appears in two blocks")]
    public void Anything_else_is_an_error_that_names_the_line(string text, string message)
    {
        Assert.That(ActionCacheListing.TryParse(text, out _, out var error), Is.False);
        Assert.That(error, Does.Contain(message));
    }

    [Test]
    public void The_expected_listing_is_the_bitmap_per_arch_with_each_arch_value()
    {
        // ld [arch]; jeq AUDIT_ARCH_X86_64 → allow, else ERRNO: every x86_64 number cached, no ia32 one.
        Instruction[] nativeOnly = [LdAbs(4), Jump(0x15, AuditArch.X86_64, 0, 1), Ret(Allow), Ret(Errno(1))];
        var arches = ActionCacheListing.Arches(Abi.X86_64);
        var blocks = ActionCacheListing.Expected([nativeOnly], [(arches[0], 451), (arches[1], 451)], KernelProfiles.Linux6_1);
        Assert.That(blocks.Select(b => (b.Arch, b.Cached.Count(c => c))), Is.EqualTo(new[] { ("x86_64", 451), ("ia32", 0) }));
        Assert.Throws<InvalidOperationException>(() => ActionCacheListing.Expected([nativeOnly], [(arches[0], 451)], KernelProfiles.Linux5_10));
    }
}
