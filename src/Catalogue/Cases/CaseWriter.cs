using Conformance.Catalogue.Steps;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Conformance.Catalogue.Cases;

/// <summary>
/// Writes cases back out as YAML that <see cref="CaseLoader"/> reads to an equivalent case (the
/// same agent programs, the same judging), so a case made in code — a fuzzer's finding — can
/// join the catalogue. Filters keep their bpf_asm text; `repeat` is written as its copies.
/// </summary>
public static class CaseWriter
{
    /// <summary>One YAML document per case, separated by `---` as in a family file.</summary>
    public static string Write(IEnumerable<CaseDefinition> cases) => string.Join("---\n", cases.Select(Write));

    public static string Write(CaseDefinition c)
    {
        var root = new YamlMappingNode
        {
            { "id", c.Id },
            { "description", c.Description },
        };
        if (c.Needs.Count > 0) root.Add("needs", Strings(c.Needs));
        if (c.Arches.Count > 0) root.Add("arch", Strings(c.Arches));
        if (c.Fix is { } fix) root.Add("fix", Fix(fix));
        if (c.Filters.Count > 0)
        {
            var filters = new YamlMappingNode();
            foreach (var (name, source) in c.Filters)
                filters.Add(name, new YamlScalarNode(source.Text) { Style = ScalarStyle.Literal });
            root.Add("filters", filters);
        }
        root.Add("steps", new YamlSequenceNode(c.Steps.Select(StepWriter.Write)));
        if (c.Result is { } result) root.Add("result", MatcherWriter.Expectation(result));
        if (c.Timeout != CaseDefinition.DefaultTimeout)
            root.Add("timeout_ms", StepWriter.Scalar((long)c.Timeout.TotalMilliseconds));
        var text = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(text, assignAnchors: false);
        // The stream ends each document with "...", which a case file does not need.
        var yaml = text.ToString();
        return yaml.EndsWith("...\n", StringComparison.Ordinal) ? yaml[..^4] : yaml;
    }

    static YamlMappingNode Fix(KernelFix fix)
    {
        var node = new YamlMappingNode { { "subject", fix.Subject } };
        if (fix.Upstream is { } upstream) node.Add("upstream", upstream);
        if (fix.Cve is { } cve) node.Add("cve", cve);
        if (fix.Debian is { } debian) node.Add("debian", debian);
        return node;
    }

    static YamlSequenceNode Strings(IEnumerable<string> items) =>
        new(items.Select(i => (YamlNode)new YamlScalarNode(i))) { Style = SequenceStyle.Flow };
}
