using System.Text.RegularExpressions;
using Conformance.Machines.Protocol;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Conformance.Catalogue.Cases;

/// <summary>Reads case files (docs/cases.md) into <see cref="CaseDefinition"/>s; every error names file, line and column.</summary>
public static partial class CaseLoader
{
    static readonly string[] CaseKeys = ["id", "description", "needs", "arch", "filters", "steps", "result", "timeout_ms", "fix"];

    [GeneratedRegex("^[a-z0-9_][a-z0-9_/.-]*$")]
    private static partial Regex IdPattern();

    /// <summary>
    /// Every case under a folder (recursively, *.yaml and *.yml, sorted by path), in one file, or
    /// matching a glob such as cases/actions/*.yaml. A file that cannot be read is reported in
    /// <c>errors</c> and the others still load, so one bad case never hides the rest.
    /// </summary>
    public static IReadOnlyList<CaseDefinition> LoadAll(string path, out IReadOnlyList<CaseFormatException> errors)
    {
        var problems = new List<CaseFormatException>();
        var cases = new List<CaseDefinition>();
        var ids = new Dictionary<string, SourcePosition>();
        foreach (var file in Files(path))
        {
            try
            {
                foreach (var c in LoadFile(file))
                {
                    if (ids.TryGetValue(c.Id, out var first))
                        throw c.Pos.Error($"case id '{c.Id}' is already used at {first}");
                    ids[c.Id] = c.Pos;
                    cases.Add(c);
                }
            }
            catch (CaseFormatException e)
            {
                problems.Add(e);
            }
        }
        errors = problems;
        return cases;
    }

    /// <summary>The same, throwing the first error (for tests and tools that want all or nothing).</summary>
    public static IReadOnlyList<CaseDefinition> LoadAll(string path)
    {
        var cases = LoadAll(path, out var errors);
        return errors.Count > 0 ? throw errors[0] : cases;
    }

    static IEnumerable<string> Files(string path)
    {
        if (File.Exists(path)) return [path];
        if (Directory.Exists(path))
            return Directory.EnumerateFiles(path, "*.*", SearchOption.AllDirectories).Where(IsCaseFile).Order(StringComparer.Ordinal);
        // A glob: the directory part is literal, the file part may hold * and ?.
        var dir = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
        var pattern = Path.GetFileName(path);
        if (!Directory.Exists(dir) || pattern.IndexOfAny(['*', '?']) < 0)
            throw new CaseFormatException(path, 0, 0, "no such case file or folder");
        return Directory.EnumerateFiles(dir, pattern, SearchOption.TopDirectoryOnly).Where(IsCaseFile).Order(StringComparer.Ordinal);
    }

    static bool IsCaseFile(string f) => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal);

    public static IReadOnlyList<CaseDefinition> LoadFile(string file) => Parse(File.ReadAllText(file), file);

    public static IReadOnlyList<CaseDefinition> Parse(string yaml, string file)
    {
        var stream = new YamlStream();
        try
        {
            RefuseDeepNesting(yaml, file);
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new CaseFormatException(file, (int)e.Start.Line, (int)e.Start.Column, e.InnerException?.Message ?? e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 16.3 throws these, not a YamlException, on some malformed text (its
            // scanner on odd plain scalars, its node loader on unexpected events; both found by
            // the cases fuzz target). They carry no position.
            throw new CaseFormatException(file, 0, 0, $"malformed YAML: {e.Message}");
        }
        var y = new YamlNodes(file);
        var cases = new List<CaseDefinition>();
        foreach (var doc in stream.Documents)
            if (doc.RootNode is not YamlScalarNode { Value: null or "" })
                cases.Add(ParseCase(y, doc.RootNode));
        return cases;
    }

    /// <summary>Deepest nesting of sequences and mappings a case file may have; real cases use under ten.</summary>
    public const int MaxNesting = 64;

    /// <summary>
    /// YamlDotNet's node loader recurses once per level, so `[[[[…` a few thousand deep overflows
    /// the stack and ends the process (found by the cases fuzz target). Its parser does not
    /// recurse: walk its events first and refuse a file nested past <see cref="MaxNesting"/>.
    /// </summary>
    static void RefuseDeepNesting(string yaml, string file)
    {
        var parser = new YamlDotNet.Core.Parser(new StringReader(yaml));
        int depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.SequenceStart or YamlDotNet.Core.Events.MappingStart:
                    if (++depth > MaxNesting)
                        throw new CaseFormatException(file, (int)parser.Current.Start.Line, (int)parser.Current.Start.Column,
                            $"nested more than {MaxNesting} levels deep");
                    break;
                case YamlDotNet.Core.Events.SequenceEnd or YamlDotNet.Core.Events.MappingEnd:
                    depth--;
                    break;
            }
        }
    }

    static CaseDefinition ParseCase(YamlNodes y, YamlNode node)
    {
        var map = y.Mapping(node, "a case");
        y.OnlyKeys(map, "a case", CaseKeys);
        var idNode = YamlNodes.Get(map, "id") ?? throw y.Error(node, "a case needs an id");
        var id = y.Scalar(idNode, "id");
        if (!IdPattern().IsMatch(id))
            throw y.Error(idNode, $"id '{id}' must be lower case letters, digits, '_', '-', '.', '/'");
        var description = YamlNodes.Get(map, "description") is { } d ? y.Scalar(d, "description")
            : throw y.Error(node, $"case {id} needs a one-line description");
        var needsNode = YamlNodes.Get(map, "needs");
        var needs = needsNode is null ? [] : y.Strings(needsNode, "needs");
        foreach (var need in needs)
            if (!Executor.Features.FeatureNames.IsKnown(need))
                throw y.Error(needsNode!, $"unknown feature '{need}' (known: {Executor.Features.FeatureNames.Describe()})");
        var archNode = YamlNodes.Get(map, "arch");
        var arches = archNode is null ? [] : y.Strings(archNode, "arch");
        foreach (var arch in arches)
            if (arch is not ("x86_64" or "aarch64"))
                throw y.Error(archNode!, $"arch '{arch}' must be x86_64 or aarch64");

        var filters = new Dictionary<string, FilterSource>();
        if (YamlNodes.Get(map, "filters") is { } fnode)
            foreach (var (k, v) in y.Mapping(fnode, "filters").Children)
            {
                var name = y.Scalar(k, "a filter name");
                if (!CaseValues.IsName(name)) throw y.Error(k, $"filter name '{name}' must be letters, digits and '_'");
                // Block scalars start on the next line; report assembler errors relative to the text's first line.
                var pos = y.Pos(v);
                if (v is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded })
                    pos = pos with { Line = pos.Line + 1 };
                filters[name] = new FilterSource(name, y.Scalar(v, $"filter {name}"), pos);
            }

        var stepsNode = YamlNodes.Get(map, "steps") ?? throw y.Error(node, $"case {id} has no steps");
        var matchers = new MatcherParser(y);
        var steps = new StepParser(y, matchers, filters).Steps(stepsNode);
        var definition = new CaseDefinition(id, description, y.Pos(node), needs, arches, filters, steps);
        if (YamlNodes.Get(map, "result") is { } r)
        {
            definition = definition with { Result = matchers.Expectation(r) };
            if (CacheMatch.In(definition.Result)) throw y.Error(r, "cache: judges a read of seccomp_cache, not how the case root ends");
        }
        if (YamlNodes.Get(map, "fix") is { } fix)
            definition = definition with { Fix = ParseFix(y, fix) };
        if (YamlNodes.Get(map, "timeout_ms") is { } t)
            definition = definition with { Timeout = TimeSpan.FromMilliseconds(y.Int(t, "timeout_ms")) };
        return definition;
    }

    static KernelFix ParseFix(YamlNodes y, YamlNode node)
    {
        var map = y.Mapping(node, "fix");
        y.OnlyKeys(map, "fix", "subject", "upstream", "cve", "debian");
        string? Text(string key) => YamlNodes.Get(map, key) is { } v ? y.Scalar(v, key) : null;
        var subject = Text("subject") ?? throw y.Error(node, "fix needs a subject (the fix's commit subject line)");
        return new KernelFix(subject, Text("upstream"), Text("cve"), Text("debian"));
    }
}
