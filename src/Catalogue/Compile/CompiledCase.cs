using Conformance.Catalogue.Cases;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Catalogue.Compile;

/// <summary>What the compiler knows about a step: which ABI ran it and the number it called.</summary>
public sealed record StepInfo(ushort Id, Step Step, Abi Abi, int? Nr)
{
    /// <summary>A helper step a macro added (a lseek after kmsg_mark...): its observations are not judged.</summary>
    public bool Internal { get; init; }

    /// <summary>The call the agent really makes when the compiler adapted the written one to the kernel (install via prctl).</summary>
    public CallStep? Made { get; init; }
}

/// <summary>A case ready for one machine: the agent program and what the judge needs to read its observations.</summary>
public sealed record CompiledCase(
    CaseDefinition Case,
    string Arch,
    Abi NativeAbi,
    Abi CompatAbi,
    byte[] Program,
    IReadOnlyDictionary<ushort, StepInfo> Steps,
    IReadOnlyDictionary<(string Filter, Abi Abi), Instruction[]> Filters)
{
    /// <summary>The step's compiled form, or null when its `when:` left it out on this machine.</summary>
    public StepInfo? StepOf(Step step) => Steps.Values.FirstOrDefault(s => ReferenceEquals(s.Step, step) && !s.Internal);
}
