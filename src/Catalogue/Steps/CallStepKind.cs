using System.Buffers.Binary;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;

namespace Conformance.Catalogue.Steps;

/// <summary>
/// A kind whose step is one system call: `call` itself and the macros (nnp, install, ptrace, ...)
/// that stand for one. They share how a call is compiled and judged; a macro adds its effect on
/// the actor and, where it needs them, the compiler hooks below.
/// </summary>
public abstract class CallStepKind : StepKind<CallStep>
{
    public override CommonKeys Common => CommonKeys.Expect | CommonKeys.Save | CommonKeys.When;

    public override bool AlwaysRecords => true;

    internal static readonly Matcher Ok = new() { Ret = new ValueMatch("0", (x, _) => x == 0) { Source = "0" } };

    internal static ValueMatch GreaterOrEqual(long n) => new($">={n}", (x, _) => x >= n) { Source = $">={n}" };

    internal static IntValue Int(long v) => new(v);

    /// <summary>The call a macro stands for, remembering the macro so it can be written back.</summary>
    internal CallStep Macro(SourcePosition pos, string label, string syscall, IReadOnlyList<ValueExpr> args) =>
        new(pos, label, new SyscallNameValue(syscall), args) { WrittenAs = this };

    internal sealed override void EmitStep(CaseCompiler c, Body body, CallStep step, Abi abi) => c.EmitCall(body, step, abi, this);

    /// <summary>The call the agent makes on this machine when it differs from the written one.</summary>
    internal virtual CallStep Adapt(CaseCompiler c, CallStep call) => call;

    /// <summary>The scratch stores right before the call.</summary>
    internal virtual IReadOnlyList<ScratchStore> Prepare(CaseCompiler c, CallStep call) => call.Prepare;

    /// <summary>Agent steps right after the call (the same step id).</summary>
    internal virtual void AfterCall(CaseCompiler c, Body body, ushort id, CallStep call) { }

    internal override bool HasOwnRecord(IReadOnlyList<Observation> taken) => HasOwnCall(taken);

    internal override Matcher? Fallback(Step step, ActorState state) => ((CallStep)step).DefaultExpect;

    internal override Prediction Predict(CaseJudge judge, Step step, StepInfo info, ActorState state) =>
        judge.Predictor.PredictCall((CallStep)step, info, state);

    internal sealed override void Apply(CaseJudge judge, Step step, StepInfo info, StepView view, ActorState state)
    {
        if (view.Call is not { } call) return;
        var c = (CallStep)step;
        if (c.Save is { } name) judge.Save(state, name, call.Ret);
        if (call.Ret < 0) return;
        ApplyEffect(judge, c, call, info, state);
    }

    /// <summary>What a successful call of this kind changes in the actor.</summary>
    internal virtual void ApplyEffect(CaseJudge judge, CallStep step, SyscallObservation call, StepInfo info, ActorState state) { }

    internal static int ReadInt32(byte[] bytes, int at) => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
}
