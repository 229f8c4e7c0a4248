using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using static Conformance.Tests.Model.Bpf;

namespace Conformance.Tests.Model;

/// <summary>The kernel's constant-ALLOW emulator: what it proves, and what it gives up on.</summary>
public class ActionCacheTests
{
    static readonly Instruction[] ArchThenGetpidErrno =
    [
        LdAbs(4), Jump(0x15, AuditArch.X86_64, 1, 0), Ret(SeccompRet.KillProcess),
        LdAbs(0), Jump(0x15, 39, 0, 1), Ret(Errno(1)), Ret(Allow),
    ];

    static bool ConstAllow(Instruction[] p, uint arch, int nr, KernelProfile? profile = null) =>
        ActionCache.IsConstAllow(p, arch, nr, profile ?? KernelProfiles.Default);

    [Test]
    public void A_filter_on_nr_and_arch_is_constant_for_every_number()
    {
        Assert.That(ConstAllow(ArchThenGetpidErrno, AuditArch.X86_64, 0), Is.True);
        Assert.That(ConstAllow(ArchThenGetpidErrno, AuditArch.X86_64, 39), Is.False);
        Assert.That(ConstAllow(ArchThenGetpidErrno, AuditArch.I386, 0), Is.False);
    }

    [Test]
    public void Any_argument_load_or_unsupported_instruction_defeats_the_cache()
    {
        Assert.That(ConstAllow([LdAbs(16), Ret(Allow)], AuditArch.X86_64, 0), Is.False);
        Assert.That(ConstAllow([LdImm(Allow), RetA], AuditArch.X86_64, 0), Is.False);
        Assert.That(ConstAllow([LdAbs(0), AluK(Op.OR, 0), Ret(Allow)], AuditArch.X86_64, 0), Is.False);
        Assert.That(ConstAllow([LdAbs(0), AluK(Op.AND, 0xff), Jump(0x15, 39, 0, 1), Ret(0), Ret(Allow)], AuditArch.X86_64, 0x100 + 40), Is.True);
    }

    [Test]
    public void Only_exactly_0x7fff0000_counts_as_allow()
    {
        Assert.That(ConstAllow([Ret(Allow | 1)], AuditArch.X86_64, 0), Is.False);
        Assert.That(ConstAllow([Ret(SeccompRet.Log)], AuditArch.X86_64, 0), Is.False);
    }

    [Test]
    public void The_bitmap_is_the_and_over_the_chain_and_agrees_with_the_interpreter()
    {
        Instruction[] second = [LdAbs(0), Jump(0x35, 100, 0, 1), Ret(SeccompRet.Trap), Ret(Allow)];
        var bits = ActionCache.Bitmap([ArchThenGetpidErrno, second], AuditArch.X86_64, 400, KernelProfiles.Default);
        var chain = new InstallingTask(KernelProfiles.Default);
        chain.Install(ArchThenGetpidErrno);
        chain.Install(second);
        for (int nr = 0; nr < 400; nr++)
        {
            Assert.That(bits[nr], Is.EqualTo(nr != 39 && nr < 100), $"nr {nr}");
            if (bits[nr])
                Assert.That(chain.Evaluate(new SeccompData(nr, AuditArch.X86_64, 0xdead, 1, 2, 3)).Action, Is.EqualTo(SeccompAction.Allow));
        }
    }

    [Test]
    public void The_uretprobe_bypass_makes_its_number_constant_allow()
    {
        Instruction[] deny = [Ret(Errno(7))];
        Assert.That(ConstAllow(deny, AuditArch.X86_64, 335, KernelProfiles.Linux6_12), Is.True);
        Assert.That(ConstAllow(deny, AuditArch.X86_64, 335, KernelProfiles.Linux6_1), Is.False);
    }
}
