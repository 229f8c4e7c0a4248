using YamlDotNet.RepresentationModel;

namespace Conformance.Catalogue.Cases;

/// <summary>Small helpers over YamlDotNet's node model that turn every mistake into a positioned error.</summary>
sealed class YamlNodes(string file)
{
    public string File { get; } = file;

    public SourcePosition Pos(YamlNode node) => new(File, (int)node.Start.Line, (int)node.Start.Column);

    public CaseFormatException Error(YamlNode node, string reason) => Pos(node).Error(reason);

    public YamlMappingNode Mapping(YamlNode node, string what) =>
        node as YamlMappingNode ?? throw Error(node, $"{what} must be a mapping");

    public YamlSequenceNode Sequence(YamlNode node, string what) =>
        node as YamlSequenceNode ?? throw Error(node, $"{what} must be a list");

    public string Scalar(YamlNode node, string what) =>
        (node as YamlScalarNode)?.Value ?? throw Error(node, $"{what} must be a single value");

    public IEnumerable<YamlNode> Items(YamlNode node, string what) =>
        node is YamlSequenceNode s ? s.Children : [node];

    public IReadOnlyList<string> Strings(YamlNode node, string what) =>
        Items(node, what).Select(n => Scalar(n, what)).ToList();

    public static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    /// <summary>Rejects keys the step or case does not know, so a typo is an error, not a silently ignored line.</summary>
    public void OnlyKeys(YamlMappingNode map, string what, params string[] allowed)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = Scalar(key, "a key");
            if (!allowed.Contains(name))
                throw Error(key, $"unknown key '{name}' in {what} (known: {string.Join(", ", allowed)})");
        }
    }

    public int Int(YamlNode node, string what)
    {
        var text = Scalar(node, what);
        return CaseValues.TryParseInteger(text, out var v) && v is >= int.MinValue and <= uint.MaxValue
            ? (int)v
            : throw Error(node, $"{what} must be an integer, not '{text}'");
    }

    public bool Bool(YamlNode node, string what) =>
        Scalar(node, what).ToLowerInvariant() switch
        {
            "true" or "yes" => true,
            "false" or "no" => false,
            var t => throw Error(node, $"{what} must be true or false, not '{t}'"),
        };
}
