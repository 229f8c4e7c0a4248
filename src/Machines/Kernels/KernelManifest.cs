using System.Text.Json;
using System.Text.Json.Serialization;

namespace Conformance.Machines.Kernels;

/// <summary>
/// kernel.json in a cached kernel's directory: what the store knows about it beyond the files.
/// Written last, so a directory without one is an interrupted fetch or build and is ignored.
/// </summary>
public sealed record KernelManifest
{
    public const string FileName = "kernel.json";

    public required string Release { get; init; }
    public required string Arch { get; init; }
    public required string Origin { get; init; }
    /// <summary>Image file name, relative to the kernel's directory.</summary>
    public required string Image { get; init; }
    /// <summary>Config file name, relative to the kernel's directory.</summary>
    public string? Config { get; init; }
    public string? Series { get; init; }
    public string? Package { get; init; }
    public IReadOnlyList<string>? Fragments { get; init; }
    public double? BuildSeconds { get; init; }
    /// <summary>Modules the agent loads for its virtio port, relative to the kernel's directory, in load order.</summary>
    public IReadOnlyList<string>? PortModules { get; init; }

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public void Save(string directory)
    {
        var path = Path.Combine(directory, FileName);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json) + "\n");
        File.Move(temp, path, overwrite: true);
    }

    public static KernelManifest Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        try
        {
            return JsonSerializer.Deserialize<KernelManifest>(File.ReadAllText(path), Json)
                ?? throw new KernelConfigException($"{path}: empty kernel manifest");
        }
        catch (JsonException e)
        {
            throw new KernelConfigException($"{path}: corrupt kernel manifest: {e.Message}");
        }
    }

    public KernelDescriptor ToDescriptor(string directory)
    {
        var configPath = Config is null ? null : Path.Combine(directory, Config);
        var facts = configPath is not null && File.Exists(configPath)
            ? KernelConfigFacts.From(KernelConfig.Load(configPath))
            : KernelConfigFacts.Unknown;
        return new KernelDescriptor(Release, KernelArchNames.Parse(Arch), Enum.Parse<KernelOrigin>(Origin, ignoreCase: true),
            Path.Combine(directory, Image), configPath, facts)
        {
            Series = Series,
            Package = Package,
            Fragments = Fragments ?? [],
            BuildTime = BuildSeconds is { } s ? TimeSpan.FromSeconds(s) : null,
            CacheDirectory = directory,
            PortModules = (PortModules ?? []).Select(m => Path.Combine(directory, m)).ToList(),
        };
    }
}
