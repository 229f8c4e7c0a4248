using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Task;

namespace Conformance.Tests.Model;

/// <summary>A task with no_new_privs that installs filters one after another through the install model, as `eval` does.</summary>
sealed class InstallingTask(KernelProfile profile)
{
    readonly KernelDescription _kernel = new(profile);

    public TaskState Task { get; private set; } = new(Abi.X86_64, profile) { NoNewPrivs = true };

    public FilterChain Chain => Task.Chain;

    public int Count => Task.Chain.Count;

    public int PathCost => Task.Chain.PathCost;

    public InstallOutcome Install(Instruction[] program)
    {
        (Task, var outcome) = SeccompInstall.Apply(Task, _kernel, InstallRequest.Plain(_kernel.PlainInstall, program));
        return outcome;
    }

    public Verdict Evaluate(in SeccompData data) => Task.Chain.Evaluate(data);
}
