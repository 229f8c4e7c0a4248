using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Tests.Kernel;

/// <summary>The generated constants against the values KernelConstants held when they were written by hand.</summary>
public class KernelConstantsTests
{
    [Test]
    public void Scalar_constants_keep_their_hand_written_values()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new[] { PR_SET_DUMPABLE, PR_GET_SECCOMP, PR_SET_SECCOMP, PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS }, Is.EqualTo(new[] { 4, 21, 22, 38, 39 }));
            Assert.That(new[] { SECCOMP_MODE_STRICT, SECCOMP_MODE_FILTER }, Is.EqualTo(new[] { 1, 2 }));
            Assert.That(new[] { SECCOMP_SET_MODE_STRICT, SECCOMP_SET_MODE_FILTER, SECCOMP_GET_ACTION_AVAIL, SECCOMP_GET_NOTIF_SIZES }, Is.EqualTo(new[] { 0, 1, 2, 3 }));
            Assert.That(new[] { SECCOMP_IOCTL_NOTIF_RECV, SECCOMP_IOCTL_NOTIF_SEND, SECCOMP_IOCTL_NOTIF_ID_VALID, SECCOMP_IOCTL_NOTIF_ADDFD,
                SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR, SECCOMP_IOCTL_NOTIF_SET_FLAGS },
                Is.EqualTo(new[] { 0xc0502100u, 0xc0182101u, 0x40082102u, 0x40182103u, 0x80082102u, 0x40082104u }));
            Assert.That(new[] { SECCOMP_USER_NOTIF_FLAG_CONTINUE, SECCOMP_ADDFD_FLAG_SETFD, SECCOMP_ADDFD_FLAG_SEND }, Is.EqualTo(new[] { 1u, 1u, 2u }));
            Assert.That(new[] { SeccompNotifSize, SeccompNotifRespSize, SeccompNotifAddfdSize }, Is.EqualTo(new[] { 80, 24, 24 }));
            Assert.That(PTRACE_EVENT_SECCOMP, Is.EqualTo(7));
            Assert.That(new[] { SIGSYS, SIGKILL, SIGSTOP, SIGTRAP, CAP_SYS_ADMIN, RLIMIT_CORE, AT_FDCWD }, Is.EqualTo(new[] { 31, 9, 19, 5, 21, 4, -100 }));
            Assert.That(LinuxCapabilityVersion3, Is.EqualTo(0x20080522u));
        });
    }

    [Test]
    public void Named_tables_keep_their_hand_written_entries()
    {
        var flags = new Dictionary<string, uint> { ["TSYNC"] = 1, ["LOG"] = 2, ["SPEC_ALLOW"] = 4, ["NEW_LISTENER"] = 8, ["TSYNC_ESRCH"] = 16, ["WAIT_KILLABLE_RECV"] = 32 };
        var requests = new Dictionary<string, long>
        {
            ["TRACEME"] = 0, ["PEEKDATA"] = 2, ["CONT"] = 7, ["KILL"] = 8, ["ATTACH"] = 16, ["DETACH"] = 17, ["SYSCALL"] = 24,
            ["SETOPTIONS"] = 0x4200, ["GETEVENTMSG"] = 0x4201, ["GETSIGINFO"] = 0x4202, ["SEIZE"] = 0x4206,
            ["INTERRUPT"] = 0x4207, ["LISTEN"] = 0x4208, ["SECCOMP_GET_FILTER"] = 0x420c, ["SECCOMP_GET_METADATA"] = 0x420d,
        };
        var options = new Dictionary<string, long>
        {
            ["TRACESYSGOOD"] = 1, ["TRACEFORK"] = 2, ["TRACEVFORK"] = 4, ["TRACECLONE"] = 8, ["TRACEEXEC"] = 0x10,
            ["TRACEVFORKDONE"] = 0x20, ["TRACEEXIT"] = 0x40, ["TRACESECCOMP"] = 0x80, ["EXITKILL"] = 0x100000, ["SUSPEND_SECCOMP"] = 0x200000,
        };
        var waits = new Dictionary<string, long> { ["WNOHANG"] = 1, ["WUNTRACED"] = 2, ["WCONTINUED"] = 8, ["WALL"] = 0x40000000, ["__WALL"] = 0x40000000, ["WCLONE"] = unchecked((int)0x80000000) };
        var signals = new Dictionary<string, int>
        {
            ["SIGHUP"] = 1, ["SIGABRT"] = 6, ["SIGKILL"] = 9, ["SIGUSR1"] = 10, ["SIGSEGV"] = 11, ["SIGCHLD"] = 17, ["SIGSTOP"] = 19, ["SIGIO"] = 29, ["SIGSYS"] = 31,
        };
        var caps = new Dictionary<string, int> { ["CHOWN"] = 0, ["KILL"] = 5, ["SETPCAP"] = 8, ["NET_ADMIN"] = 12, ["SYS_PTRACE"] = 19, ["SYS_ADMIN"] = 21, ["SYS_RESOURCE"] = 24 };
        Assert.Multiple(() =>
        {
            Assert.That(FilterFlags, Is.EquivalentTo(flags));
            Assert.That(PtraceRequests, Is.EquivalentTo(requests));
            foreach (var (k, v) in options) Assert.That(PtraceOptions[k], Is.EqualTo(v), k);
            foreach (var (k, v) in waits) Assert.That(WaitOptions[k], Is.EqualTo(v), k);
            foreach (var (k, v) in signals) Assert.That(Signals[k], Is.EqualTo(v), k);
            foreach (var (k, v) in caps) Assert.That(Capabilities[k], Is.EqualTo(v), k);
            Assert.That((uint)SeccompFilterFlags.WaitKillableRecv, Is.EqualTo(32u));
        });
    }

    [Test]
    public void A_number_with_several_signal_names_is_named_by_the_usual_one()
    {
        Assert.That(new[] { 6, 29, 31 }.Select(SignalName), Is.EqualTo(new[] { "SIGABRT", "SIGIO", "SIGSYS" }));
        Assert.That(Signals["SIGIOT"], Is.EqualTo(6), "the alias still resolves");
    }

    [Test]
    public void Constants_that_differ_between_abis_keep_a_value_per_abi()
    {
        var infinity = KernelConstantTable.Get("RLIM_INFINITY");
        Assert.That(infinity.ValueOn(Abi.X86_64), Is.EqualTo(-1L), "~0UL is all ones in 64 bits");
        Assert.That(infinity.ValueOn(Abi.Arm), Is.EqualTo(0xffffffffL));
        Assert.That(infinity.Uniform, Is.Null);
        Assert.That(KernelConstantTable.Get("PTRACE_ARCH_PRCTL").ValueOn(Abi.Aarch64), Is.Null, "x86 only");
    }

    [Test]
    public void Struct_layouts_match_the_offsets_the_steps_write()
    {
        var addfd = KernelStructLayouts.Of(KernelStruct.SeccompNotifAddfd, Abi.Aarch64);
        var resp = KernelStructLayouts.Of(KernelStruct.SeccompNotifResp, Abi.Arm);
        Assert.Multiple(() =>
        {
            Assert.That(new[] { "id", "flags", "srcfd", "newfd", "newfd_flags" }.Select(addfd.Offset), Is.EqualTo(new[] { 0, 8, 12, 16, 20 }));
            Assert.That(new[] { "id", "val", "error", "flags" }.Select(resp.Offset), Is.EqualTo(new[] { 0, 8, 16, 20 }));
            Assert.That(KernelStructLayouts.Of(KernelStruct.SeccompNotif, Abi.I386).Offset("data.args"), Is.EqualTo(32));
            Assert.That(SeccompMetadataLayout.Size, Is.EqualTo(16));
            Assert.That(UserCapHeaderLayout.Size + 2 * UserCapDataLayout.Size, Is.EqualTo(32), "capset's header and two data words");
            Assert.That(KernelStructLayouts.Of(KernelStruct.SockFprog, Abi.X86_64).Size, Is.EqualTo(16));
            Assert.That(KernelStructLayouts.Of(KernelStruct.SockFprog, Abi.I386).Offset("filter"), Is.EqualTo(4));
            Assert.That(KernelStructLayouts.Of(KernelStruct.Rlimit, Abi.Arm).Size, Is.EqualTo(8));
            Assert.That(() => addfd.Offset("nonsense"), Throws.ArgumentException);
        });
    }

    [Test]
    public void An_ioctl_number_can_be_re_encoded_for_another_struct_size()
    {
        Assert.That(IoctlEncoding.WithSize(SECCOMP_IOCTL_NOTIF_ADDFD, SeccompNotifAddfdSize), Is.EqualTo(SECCOMP_IOCTL_NOTIF_ADDFD));
        // StepParser's own formula for the `size:` key of notif_addfd.
        Assert.That(IoctlEncoding.WithSize(SECCOMP_IOCTL_NOTIF_ADDFD, 32), Is.EqualTo((1u << 30) | (32u << 16) | 0x2103));
        Assert.That(() => IoctlEncoding.Encode(IoctlEncoding.IOC_READ, '!', 0, 1 << 14), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
