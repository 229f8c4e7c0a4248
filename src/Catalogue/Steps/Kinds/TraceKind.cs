using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`trace: $child` `resume: cont|syscall` `responses: [...]` (`max_stops`): the tracer loop until the tracee ends.</summary>
public sealed class TraceKind : StepKind<TraceStep>
{
    public override string Keyword => "trace";
    public override IReadOnlyList<string> Keys => ["resume", "responses", "max_stops"];
    public override bool AlwaysRecords => true;

    public override bool Traces(Step step) => true;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var y = p.Y;
        var resume = TraceResume.Cont;
        if (YamlNodes.Get(map, "resume") is { } r)
            resume = y.Scalar(r, "resume") switch
            {
                "cont" => TraceResume.Cont, "syscall" => TraceResume.Syscall,
                var t => throw y.Error(r, $"resume '{t}' must be cont or syscall"),
            };
        var responses = new List<TraceResponseSpec>();
        if (YamlNodes.Get(map, "responses") is { } rs)
            foreach (var item in y.Sequence(rs, "responses").Children)
                responses.Add(Response(p, item));
        int maxStops = YamlNodes.Get(map, "max_stops") is { } m ? y.Int(m, "max_stops") : 64;
        return new TraceStep(pos, p.Argument(value), resume, responses, maxStops);
    }

    static TraceResponseSpec Response(StepParser p, YamlNode item)
    {
        var y = p.Y;
        if (item is YamlScalarNode s)
            return s.Value switch
            {
                "continue" => new TraceResponseSpec(null, null, [], TraceThen.Resume),
                "kill" => new TraceResponseSpec(null, null, [], TraceThen.Kill),
                "detach" => new TraceResponseSpec(null, null, [], TraceThen.Detach),
                var t => throw y.Error(item, $"response '{t}' must be continue, kill, detach or a mapping"),
            };
        var map = y.Mapping(item, "a response");
        y.OnlyKeys(map, "a response", "redirect", "skip", "set_arg", "then");
        ValueExpr? redirect = YamlNodes.Get(map, "redirect") is { } r ? p.Argument(r) : null;
        long? skip = YamlNodes.Get(map, "skip") is { } sk ? p.Constant(sk, "skip") : null;
        var setArgs = new List<(int, long)>();
        if (YamlNodes.Get(map, "set_arg") is { } sa)
        {
            var pair = y.Sequence(sa, "set_arg").Children;
            if (pair.Count != 2) throw y.Error(sa, "set_arg is [index, value]");
            var idx = y.Int(pair[0], "index");
            if (idx is < 0 or > 5) throw y.Error(sa, "set_arg index is 0..5");
            setArgs.Add((idx, p.Constant(pair[1], "value")));
        }
        var then = TraceThen.Resume;
        if (YamlNodes.Get(map, "then") is { } th)
            then = y.Scalar(th, "then") switch
            {
                "continue" => TraceThen.Resume, "kill" => TraceThen.Kill, "detach" => TraceThen.Detach,
                var t => throw y.Error(th, $"then '{t}' must be continue, kill or detach"),
            };
        return new TraceResponseSpec(redirect, skip, setArgs, then);
    }

    internal override void EmitStep(CaseCompiler c, Body body, TraceStep t, Abi abi)
    {
        var responses = t.Responses.Select(r =>
        {
            var mods = new List<TraceMod>();
            if (r.RedirectTo is { } to)
                mods.Add(TraceMod.Nr(to switch
                {
                    SyscallNameValue n => c.Number(t, abi, n.Name),
                    IntValue i => i.Value,
                    _ => throw t.Pos.Error("redirect takes a syscall name or number"),
                }));
            if (r.SkipWith is { } v)
            {
                mods.Add(TraceMod.Nr(-1));
                mods.Add(TraceMod.Ret(v));
            }
            foreach (var (index, value) in r.SetArgs)
                mods.Add(TraceMod.Arg(index, value));
            return new TraceResponse(mods, r.Then);
        }).ToArray();
        body.TraceLoop(c.Id(t, abi), c.ToOperand(body, t.Tracee, abi, t), t.Resume, (ushort)t.MaxStops, responses);
    }

    internal override void WriteStep(StepWriter w, TraceStep step)
    {
        w.Operand(step.Tracee);
        if (step.Resume == TraceResume.Syscall) w.Key("resume", "syscall");
        if (step.Responses.Count > 0) w.Key("responses", new YamlSequenceNode(step.Responses.Select(r => Response(w, r))));
        if (step.MaxStops != 64) w.Key("max_stops", StepWriter.Scalar(step.MaxStops));
    }

    static YamlNode Response(StepWriter w, TraceResponseSpec r)
    {
        var then = r.Then switch { TraceThen.Kill => "kill", TraceThen.Detach => "detach", _ => "continue" };
        if (r.RedirectTo is null && r.SkipWith is null && r.SetArgs.Count == 0)
            return StepWriter.Scalar(then);
        if (r.SetArgs.Count > 1) throw new InvalidOperationException("a response written in YAML sets at most one argument");
        var map = new YamlMappingNode { Style = YamlDotNet.Core.Events.MappingStyle.Flow };
        if (r.RedirectTo is { } to) map.Add("redirect", w.Value(to));
        if (r.SkipWith is { } skip) map.Add("skip", StepWriter.Scalar(skip));
        foreach (var (index, value) in r.SetArgs) map.Add("set_arg", StepWriter.Flow([StepWriter.Scalar(index), StepWriter.Scalar(value)]));
        if (r.Then != TraceThen.Resume) map.Add("then", then);
        return map;
    }
}
