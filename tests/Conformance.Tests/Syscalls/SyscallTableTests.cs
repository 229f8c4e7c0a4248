using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;

namespace Conformance.Tests.Syscalls;

/// <summary>
/// Spot checks against numbers read from the kernel's generated uapi headers (not from the .tbl files
/// the generator reads), so a generator that picked the wrong ABI column or offset fails here.
/// </summary>
public class SyscallTableTests
{
    // /usr/include/x86_64-linux-gnu/asm/unistd_64.h (linux-libc-dev 6.1), uretprobe from 6.12's syscall_64.tbl.
    [TestCase("read", 0), TestCase("write", 1), TestCase("open", 2), TestCase("getpid", 39), TestCase("fork", 57),
     TestCase("execve", 59), TestCase("exit", 60), TestCase("kill", 62), TestCase("getppid", 110), TestCase("getpgrp", 111),
     TestCase("prctl", 157), TestCase("gettid", 186), TestCase("exit_group", 231), TestCase("openat", 257),
     TestCase("seccomp", 317), TestCase("uretprobe", 335), TestCase("clone3", 435), TestCase("rt_sigaction", 13)]
    public void X86_64(string name, int nr) => AssertBoth(Abi.X86_64, name, nr);

    // /usr/i686-linux-gnu/include/asm/unistd_32.h (linux-libc-dev-i386-cross 6.1.4).
    [TestCase("restart_syscall", 0), TestCase("exit", 1), TestCase("fork", 2), TestCase("read", 3), TestCase("write", 4),
     TestCase("open", 5), TestCase("getpid", 20), TestCase("getppid", 64), TestCase("getpgrp", 65),
     TestCase("socketcall", 102), TestCase("prctl", 172), TestCase("gettid", 224), TestCase("exit_group", 252),
     TestCase("openat", 295), TestCase("seccomp", 354), TestCase("clone3", 435)]
    public void I386(string name, int nr) => AssertBoth(Abi.I386, name, nr);

    // /usr/include/x86_64-linux-gnu/asm/unistd_x32.h: __X32_SYSCALL_BIT (0x40000000) + n.
    [TestCase("read", 0x40000000), TestCase("getpid", 0x40000000 + 39), TestCase("exit_group", 0x40000000 + 231),
     TestCase("seccomp", 0x40000000 + 317), TestCase("rt_sigaction", 0x40000000 + 512),
     TestCase("ioctl", 0x40000000 + 514), TestCase("execve", 0x40000000 + 520), TestCase("ptrace", 0x40000000 + 521),
     TestCase("preadv2", 0x40000000 + 546), TestCase("pwritev2", 0x40000000 + 547), TestCase("getppid", 0x40000000 + 110),
     TestCase("openat", 0x40000000 + 257), TestCase("uretprobe", 0x40000000 + 335) /* common in 6.12 syscall_64.tbl */]
    public void X32(string name, int nr) => AssertBoth(Abi.X32, name, nr);

    // /usr/aarch64-linux-gnu/include/asm/unistd.h -> asm-generic/unistd.h with arm64's __ARCH_WANT_* (6.1),
    // including the __NR3264_* aliases the 64-bit ABI resolves (fstat, mmap, lseek).
    [TestCase("io_setup", 0), TestCase("fcntl", 25), TestCase("renameat", 38), TestCase("openat", 56),
     TestCase("lseek", 62), TestCase("read", 63), TestCase("write", 64), TestCase("fstat", 80), TestCase("exit", 93),
     TestCase("exit_group", 94), TestCase("kill", 129), TestCase("getrlimit", 163), TestCase("prctl", 167),
     TestCase("getpid", 172), TestCase("getppid", 173), TestCase("gettid", 178), TestCase("mmap", 222),
     TestCase("seccomp", 277), TestCase("memfd_secret", 447), TestCase("clone3", 435)]
    public void Aarch64(string name, int nr) => AssertBoth(Abi.Aarch64, name, nr);

    // /usr/arm-linux-gnueabihf/include/asm/unistd-eabi.h (6.1), private calls from asm/unistd.h __ARM_NR_BASE 0x0f0000.
    [TestCase("restart_syscall", 0), TestCase("exit", 1), TestCase("fork", 2), TestCase("read", 3), TestCase("write", 4),
     TestCase("getpid", 20), TestCase("getppid", 64), TestCase("prctl", 172), TestCase("gettid", 224),
     TestCase("exit_group", 248), TestCase("openat", 322), TestCase("seccomp", 383), TestCase("clone3", 435),
     TestCase("breakpoint", 0x0f0001), TestCase("cacheflush", 0x0f0002), TestCase("set_tls", 0x0f0005),
     TestCase("get_tls", 0x0f0006)]
    public void Arm(string name, int nr) => AssertBoth(Abi.Arm, name, nr);

    // Calls that exist on some ABIs only: a table that leaked another ABI's rows would have them.
    [TestCase(Abi.Aarch64, "open"), TestCase(Abi.Aarch64, "fork"), TestCase(Abi.Aarch64, "getpgrp"),
     TestCase(Abi.Aarch64, "uretprobe"), TestCase(Abi.Aarch64, "io_getevents_time32"), TestCase(Abi.Aarch64, "fstat64"),
     TestCase(Abi.X86_64, "socketcall"), TestCase(Abi.X86_64, "cacheflush"), TestCase(Abi.I386, "uretprobe"),
     TestCase(Abi.Arm, "uretprobe"), TestCase(Abi.Arm, "waitpid"), TestCase(Abi.X32, "uselib"), TestCase(Abi.X32, "epoll_wait_old")]
    public void AbsentOnThisAbi(Abi abi, string name)
    {
        Assert.That(SyscallTable.TryGetNumber(abi, name, out _), Is.False);
        Assert.That(() => SyscallTable.NumberOf(abi, name),
            Throws.TypeOf<KeyNotFoundException>().With.Message.Contains(name).And.Message.Contains(AuditArch.Name(abi)));
    }

    [Test]
    public void X32ReusesTheX86_64NumberOnlyWithTheX32Bit()
    {
        // 64-bit rt_sigaction (13) is not an x32 call: x32's lives at 512 | bit.
        Assert.That(SyscallTable.NameOf(Abi.X32, 0x40000000 + 13), Is.Null);
        Assert.That(SyscallTable.NameOf(Abi.X32, 39), Is.Null);
        Assert.That(SyscallTable.NameOf(Abi.X86_64, 512), Is.Null);
    }

    [Test]
    public void EveryAbiRoundTripsNameAndNumber()
    {
        foreach (var abi in Enum.GetValues<Abi>())
        {
            var all = SyscallTable.All(abi);
            Assert.That(all, Has.Count.GreaterThan(290), AuditArch.Name(abi));
            Assert.That(all.Select(r => r.Nr), Is.Ordered, AuditArch.Name(abi));
            foreach (var (name, nr) in all)
            {
                Assert.That(SyscallTable.NameOf(abi, nr), Is.EqualTo(name), $"{AuditArch.Name(abi)} {nr}");
                Assert.That(SyscallTable.NumberOf(abi, name), Is.EqualTo(nr), $"{AuditArch.Name(abi)} {name}");
            }
        }
    }

    [Test]
    public void NamesMatchExactly()
    {
        Assert.That(SyscallTable.TryGetNumber(Abi.X86_64, "GETPID", out _), Is.False);
        Assert.That(SyscallTable.TryGetNumber(Abi.X86_64, "getpid ", out _), Is.False);
    }

    static void AssertBoth(Abi abi, string name, int nr)
    {
        Assert.That(SyscallTable.TryGetNumber(abi, name, out var got), Is.True, $"{name} missing on {abi}");
        Assert.That(got, Is.EqualTo(nr));
        Assert.That(SyscallTable.NameOf(abi, nr), Is.EqualTo(name));
    }
}
