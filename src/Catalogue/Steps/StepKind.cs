using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;

namespace Conformance.Catalogue.Steps;

/// <summary>
/// Everything about one kind of step, in one place: its YAML keyword and keys, how it is read,
/// how it becomes agent program, how its observations are judged, and how it is written back
/// out. Every kind is listed once in <see cref="StepKinds"/>.
/// </summary>
public abstract class StepKind
{
    /// <summary>The YAML key (or bare scalar) that names the kind: `call`, `nnp`, `fork`.</summary>
    public abstract string Keyword { get; }

    /// <summary>The kind's own keys besides its keyword.</summary>
    public virtual IReadOnlyList<string> Keys => [];

    /// <summary>Which of the shared keys the kind takes.</summary>
    public virtual CommonKeys Common => CommonKeys.Expect | CommonKeys.When;

    /// <summary>Every key a step of this kind may have; any other is an error.</summary>
    public IReadOnlyList<string> AcceptedKeys => [Keyword, .. Keys, .. CommonKeyNames.Of(Common)];

    /// <summary>Reads one step; `value` is the keyword's value (the scalar itself for a bare `- nnp`).</summary>
    internal abstract Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map);

    /// <summary>Adds what the YAML item stands for; only `repeat` stands for more than one step.</summary>
    internal virtual void ParseInto(StepParser p, YamlNode item, YamlNode value, YamlMappingNode map, List<Step> into) =>
        into.Add(p.WithCommonKeys(Parse(p, p.Y.Pos(item), value, map), map));

    internal abstract void Emit(CaseCompiler c, Body body, Step step, Abi abi);

    /// <summary>Writes the keyword's value and the kind's own keys; the shared keys are written by the caller.</summary>
    internal abstract void Write(StepWriter w, Step step);

    /// <summary>The nested steps a control-flow kind runs (fork, thread, exec).</summary>
    public virtual IReadOnlyList<Step> Children(Step step) => [];

    /// <summary>The step itself traces or is traced through ptrace (the model must then know a tracer may exist).</summary>
    public virtual bool Traces(Step step) => false;

    /// <summary>The agent always leaves a record after this step, so a missing one means the actor died there.</summary>
    public virtual bool AlwaysRecords => false;

    /// <summary>Which of the records the step took are its own (not, say, a signal handler's call).</summary>
    internal virtual bool HasOwnRecord(IReadOnlyList<Observation> taken) => taken.Count > 0;

    /// <summary>For kinds whose record is their call: one the step made itself, not its signal handler.</summary>
    protected static bool HasOwnCall(IReadOnlyList<Observation> taken) => taken.OfType<SyscallObservation>().Any(o => !o.FromHandler);

    /// <summary>The step's calls read text: their records are bytes of text, never a wait status.</summary>
    public virtual bool ReadsText => false;

    /// <summary>The step's call records a child's wait status.</summary>
    public virtual bool RecordsWaitStatus => false;

    /// <summary>What the step must observe when the case says nothing.</summary>
    internal virtual Matcher? Fallback(Step step, ActorState state) => null;

    /// <summary>Judges the step in its actor's walk; a fate ends the walk there (exit, exec).</summary>
    internal virtual Fate? Walk(CaseJudge judge, WalkFrame frame, Step step, StepInfo info, StepView view)
    {
        judge.JudgeAndApply(frame, step, info, view);
        return null;
    }

    /// <summary>What the kernel did at this step changes the actor: follow it, not the prediction.</summary>
    internal virtual void Apply(CaseJudge judge, Step step, StepInfo info, StepView view, ActorState state) { }

    /// <summary>What `expect: model` means for this kind.</summary>
    internal virtual Prediction Predict(CaseJudge judge, Step step, StepInfo info, ActorState state) =>
        Prediction.Unknown($"the model has nothing to say about {step.Label}; state the expectation");

    public override string ToString() => Keyword;
}

/// <summary>A kind whose steps are one record type: the compiler and the writer get that type.</summary>
public abstract class StepKind<TStep> : StepKind where TStep : Step
{
    internal sealed override void Emit(CaseCompiler c, Body body, Step step, Abi abi) => EmitStep(c, body, (TStep)step, abi);

    internal sealed override void Write(StepWriter w, Step step) => WriteStep(w, (TStep)step);

    internal abstract void EmitStep(CaseCompiler c, Body body, TStep step, Abi abi);

    internal abstract void WriteStep(StepWriter w, TStep step);
}
