using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Judge;
using Conformance.Machines.Protocol;
using Conformance.Model.Seccomp;
using YamlDotNet.RepresentationModel;
using static Conformance.Model.Kernel.KernelConstants;

namespace Conformance.Catalogue.Steps.Kinds;

/// <summary>`read: /proc/self/status` (`max: N`, `nonblock: true`): reads a file.</summary>
public sealed class ReadKind : StepKind<ReadStep>
{
    public override string Keyword => "read";
    public override IReadOnlyList<string> Keys => ["max", "nonblock"];
    public override bool AlwaysRecords => true;

    internal override Step Parse(StepParser p, SourcePosition pos, YamlNode value, YamlMappingNode map)
    {
        var y = p.Y;
        uint max = YamlNodes.Get(map, "max") is { } mx ? (uint)y.Int(mx, "max") : 16384;
        bool nonblock = YamlNodes.Get(map, "nonblock") is { } nb && y.Bool(nb, "nonblock");
        return new ReadStep(pos, y.Scalar(value, "read"), max, nonblock);
    }

    internal override void EmitStep(CaseCompiler c, Body body, ReadStep r, Abi abi) =>
        body.ReadFile(c.Id(r, abi), Operand.Blob(c.Blob(r.Path + "\0")), r.MaxLength, r.NonBlock);

    internal override void WriteStep(StepWriter w, ReadStep step)
    {
        w.Operand(step.Path);
        if (step.MaxLength != 16384) w.Key("max", StepWriter.Scalar(step.MaxLength));
        if (step.NonBlock) w.Key("nonblock", "true");
    }
}
