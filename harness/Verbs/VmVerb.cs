using System.CommandLine;
using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Machines.Vm;
using Microsoft.Extensions.Logging;

namespace Conformance.Harness.Verbs;

/// <summary>
/// `vm boot`: a maintenance verb behind run-vm.sh. Boots one kernel through the same code the
/// runners use (QemuMachine and the agent image), or with bare-init (--bare), or into a busybox
/// shell on the serial line (--shell).
/// </summary>
public static class VmVerb
{
    public static Command Create()
    {
        var cmd = new Command("vm", "Boot guests by hand (maintenance; see run-vm.sh)") { Hidden = true };
        cmd.Subcommands.Add(Boot());
        return cmd;
    }

    static Command Boot()
    {
        var kernelOptions = new KernelOptions();
        var shell = new Option<bool>("--shell") { Description = "Interactive busybox shell on the serial console (Ctrl-A X quits QEMU)" };
        var bare = new Option<bool>("--bare") { Description = "Boot bare-init (prints a marker and reboots) instead of the agent" };
        var initArgs = new Option<string[]>("--init-arg") { Description = "A word for init's argv, repeatable (bare-init: exit, crash, lkdtm TYPE)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the agent (or marker)", DefaultValueFactory = _ => 60 };
        var accel = new Option<QemuAccel>("--accel") { Description = "Auto (TCG unless KVM is proven to work), Tcg or Kvm", DefaultValueFactory = _ => QemuAccel.Auto };
        var cmd = new Command("boot", "Boot a kernel with the agent, print its HELO and boot time, ping it and quit")
        {
            shell, bare, initArgs, timeout, accel,
        };
        kernelOptions.AddTo(cmd);
        cmd.SetAction(async (parse, ct) => await VerbErrors.Run(async () =>
        {
            using var logs = VerbLogging.Create();
            var logger = logs.CreateLogger("vm");
            var store = new KernelStore(logger: logger);
            var kernel = await kernelOptions.ResolveAsync(parse, store, ct);
            var wait = TimeSpan.FromSeconds(parse.GetValue(timeout));
            var requestedAccel = parse.GetValue(accel);
            logger.LogInformation("Kernel {Name}: {Image}", kernel.Name, kernel.ImagePath);

            if (parse.GetValue(shell))
                return await BootShellAsync(kernel, store, requestedAccel, logger, ct);
            if (parse.GetValue(bare))
                return await BootBareAsync(kernel, store, requestedAccel, parse.GetValue(initArgs) ?? [], wait, logger, ct);
            return await BootAgentAsync(kernel, store, requestedAccel, wait, logger, ct);
        }));
        return cmd;
    }

    static async Task<int> BootAgentAsync(KernelDescriptor kernel, KernelStore store, QemuAccel accel, TimeSpan wait, ILogger logger, CancellationToken ct)
    {
        var image = await AgentGuestImage.ForKernelAsync(kernel, store.CacheRoot, ct);
        await using var machine = new QemuMachine(new QemuMachineOptions(kernel, image.Path) { Accel = accel, HelloTimeout = wait, CacheRoot = store.CacheRoot, AgentPort = image.Port }, logger);
        machine.ConsoleLine += line => Console.WriteLine("console| " + line);
        try
        {
            var session = await machine.StartAsync(ct);
            var hello = session.Hello;
            Console.WriteLine($"HELO after {machine.BootTime!.Value.TotalSeconds:F2} s: agent {hello.AgentVersion}, {hello.Machine}, release {hello.Release}, "
                + $"pid {hello.Pid}, helpers [{string.Join(",", hello.Helpers)}], speaking on {(hello.SpeaksOnPort ? "its virtio port" : "the serial console")}");
            Console.WriteLine($"PING: {(await session.PingAsync(TimeSpan.FromSeconds(10), ct) ? "PONG" : "no answer")}");
            var clean = await machine.StopAsync(TimeSpan.FromSeconds(30), ct);
            Console.WriteLine(clean ? "QUIT: guest rebooted, QEMU exited" : "QUIT: guest did not exit by itself; QEMU killed");
            return machine.Fault is null && clean ? 0 : 1;
        }
        catch (MachineFaultException e)
        {
            Console.Error.WriteLine($"{machine.Name}: {e.Fault.Kind}: {e.Fault.Summary}\n--- console excerpt ---\n{e.Fault.Excerpt}");
            if (machine.QemuErrors.Length > 0)
                Console.Error.WriteLine($"--- qemu stderr ---\n{machine.QemuErrors}");
            return 1;
        }
    }

    static async Task<int> BootBareAsync(KernelDescriptor kernel, KernelStore store, QemuAccel accel, string[] initArgs, TimeSpan wait, ILogger logger, CancellationToken ct)
    {
        var init = await BareInitBinary.BuildAsync(kernel.Arch, ct);
        var image = GuestImage.Build(new GuestImageSpec(kernel.Arch, init), store.CacheRoot);
        var resolved = await AcceleratorProbe.ResolveAsync(kernel.Arch, accel, store.CacheRoot, logger, ct);
        var spec = new QemuLaunchSpec(kernel.Arch, kernel.ImagePath, image) { Accel = resolved, InitArgs = initArgs };
        var result = await MarkerBoot.RunAsync(spec, BareInitBinary.Marker, wait, logger, ct);
        Console.Write(result.ConsoleText);
        Console.WriteLine($"\n--- {result.CommandLine}");
        Console.WriteLine(result.MarkerSeen ? $"marker after {result.TimeToMarker!.Value.TotalSeconds:F2} s; QEMU ran {result.Elapsed.TotalSeconds:F2} s" : "marker never seen");
        if (result.Fault is { } fault)
            Console.WriteLine($"fault: {fault.Kind}: {fault.Summary}");
        return result.MarkerSeen && result.Fault is null ? 0 : 1;
    }

    static async Task<int> BootShellAsync(KernelDescriptor kernel, KernelStore store, QemuAccel accel, ILogger logger, CancellationToken ct)
    {
        var busybox = await BusyboxStatic.GetAsync(kernel.Arch, store.CacheRoot, ct);
        var image = await AgentGuestImage.BuildAsync(kernel.Arch, store.CacheRoot, ct, busyboxPath: busybox);
        var resolved = await AcceleratorProbe.ResolveAsync(kernel.Arch, accel, store.CacheRoot, logger, ct);
        var spec = new QemuLaunchSpec(kernel.Arch, kernel.ImagePath, image) { Accel = resolved, Init = GuestImage.ShellInit };
        logger.LogInformation("Shell on the serial console; `reboot -f` or Ctrl-A X ends QEMU");
        return await QemuProcess.RunInteractiveAsync(spec, logger, ct);
    }
}
