using Conformance.Machines.Kernels;
using Conformance.Machines;

namespace Conformance.Tests.Vm;

/// <summary>A fixture that boots one agent machine on one kernel for all its tests, and stops it after.</summary>
public abstract class AgentVmFixture
{
    protected KernelDescriptor kernel = null!;
    protected QemuMachine machine = null!;

    protected abstract Task<KernelDescriptor> KernelAsync();

    [OneTimeSetUp]
    public async Task Boot()
    {
        kernel = await KernelAsync();
        machine = await VmKernels.StartAgentAsync(kernel);
    }

    [OneTimeTearDown]
    public async Task Shutdown()
    {
        if (machine is not null)
            await machine.DisposeAsync();
    }
}
