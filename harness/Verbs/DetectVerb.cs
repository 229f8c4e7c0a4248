using System.CommandLine;
using Conformance.Machines.Host;
using Conformance.Machines.Kernels;
using Conformance.Machines;
using Conformance.Machines.Tools;
using Conformance.Machines.Vm;
using Conformance.Executor;
using Conformance.Executor.Features;
using Microsoft.Extensions.Logging;

namespace Conformance.Harness.Verbs;

/// <summary>
/// `conformance detect`: boots a kernel, runs only the feature probe and says what seccomp it has:
/// one JSON object on one line with --json, a table without. Exit 0 when the probe answered, 1 when two
/// of its witnesses of a feature disagree (a failed detection), 2 when
/// the harness could not get an answer (no such kernel, no boot, a crash under the probe).
/// </summary>
public static class DetectVerb
{
    public static Command Create()
    {
        var kernelOptions = new KernelOptions();
        var host = new Option<bool>("--host") { Description = "Probe the host kernel (the agent as a child process; no VM)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on one line instead of a table" };
        var cmd = new Command("detect", "Boot a kernel, probe its seccomp features (mode 2, actions, flags) and print them") { host, json };
        kernelOptions.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            using var logs = VerbLogging.Create();
            var logger = logs.CreateLogger("detect");
            try
            {
                Func<IMachine> createMachine;
                if (parse.GetValue(host))
                {
                    if (parse.GetValue(kernelOptions.Kernel) is not null || parse.GetValue(kernelOptions.Arch) is not null)
                        throw new ArgumentException("--host probes the running kernel; it takes no --kernel or --arch");
                    createMachine = () => new HostMachine(logger);
                }
                else
                {
                    var store = new KernelStore(logger: logger);
                    var kernel = await kernelOptions.ResolveAsync(parse, store, ct);
                    var image = await AgentGuestImage.ForKernelAsync(kernel, store.CacheRoot, ct);
                    createMachine = () => new QemuMachine(new QemuMachineOptions(kernel, image.Path) { CacheRoot = store.CacheRoot, AgentPort = image.Port }, logger);
                }
                var outcome = await KernelDetector.DetectAsync(createMachine, ct);
                Console.Write(parse.GetValue(json) ? outcome.Detection.ToJsonLine() + "\n" : DetectionTable.Render(outcome.Machine.Name, outcome.Detection));
                // Witnesses that contradict each other are a failed detection, as in `run`.
                return outcome.Detection.Witnessed.Any(w => w.Disagreement is not null) ? 1 : 0;
            }
            catch (MachineStartException e) when (e.Fault is { } fault)
            {
                Console.Error.WriteLine($"error: {fault.Kind}: {fault.Summary}\n--- console excerpt ---\n{fault.Excerpt}");
                return 2;
            }
            catch (MachineStartException e)
            {
                Console.Error.WriteLine($"error: {e.InnerException?.Message ?? e.Message}");
                return 2;
            }
            catch (Exception e) when (e is KernelImageException or KernelConfigException or KernelBuildException or ExternalCommandException
                                          or ArgumentException or IOException or InvalidOperationException or PlatformNotSupportedException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return cmd;
    }
}
