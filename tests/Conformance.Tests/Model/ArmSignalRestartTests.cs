using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using Conformance.Model.Task;
using Conformance.Model.Text;

namespace Conformance.Tests.Model;

/// <summary>
/// arm64's do_signal reads the interrupted call's x0 into an int and acts on -ERESTART* codes; after
/// a TRAP, x0 is the rolled-back first argument (arch/arm64/kernel/signal.c, do_signal). The kernel
/// showed it to the fuzzer (ArmSignalRestartVmTests holds the model to Debian's 6.1 arm64).
/// </summary>
public class ArmSignalRestartTests
{
    static SigsysInfo Trap(Abi abi, ulong arg0)
    {
        var profile = KernelProfiles.Linux6_1;
        var task = new TaskState(abi, profile) { Sigsys = SigsysDisposition.Handler, NoNewPrivs = true }
            .Attach(LoadedFilter.Load(Assembler.Assemble("ret #TRAP(1)"), profile), SeccompFilterFlags.None);
        var outcome = SeccompSyscall.Decide(task, new KernelDescription(profile), SyscallQuery.Known(abi, 300, arg0));
        return ((SigsysHandled)outcome).Info;
    }

    [TestCase(0xfffffdffUL)]
    [TestCase(0x7ffffffffffffdffUL)]
    public void ERESTARTNOINTR_in_the_low_word_makes_the_call_again(ulong arg0)
    {
        var info = Trap(Abi.Aarch64, arg0);
        Assert.That(info.Restarts, Is.True);
        Assert.That(info.ReturnValue, Is.EqualTo(arg0), "the context keeps the argument");
    }

    [TestCase(0xfffffdfeUL)]   // -ERESTARTNOHAND
    [TestCase(0xfffffdfcUL)]   // -ERESTART_RESTARTBLOCK
    [TestCase(0xfffffe00UL)]   // -ERESTARTSYS, no SA_RESTART
    public void The_other_restart_codes_return_EINTR_to_a_handler(ulong arg0)
    {
        var info = Trap(Abi.Aarch64, arg0);
        Assert.That(info.Restarts, Is.False);
        Assert.That(info.ReturnValue, Is.EqualTo(unchecked((ulong)-4L)));
    }

    [Test]
    public void Other_values_and_x86_are_untouched()
    {
        Assert.That(Trap(Abi.Aarch64, 0xfffffdfd), Has.Property(nameof(SigsysInfo.ReturnValue)).EqualTo(0xfffffdfdUL));
        var x86 = Trap(Abi.X86_64, 0xfffffdff);
        Assert.That(x86.Restarts, Is.False);
        Assert.That(x86.ReturnValue, Is.EqualTo(300UL), "x86 rolls back rax to the number");
    }
}
