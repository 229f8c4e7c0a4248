namespace Conformance.Machines.Kernels;

/// <summary>A tristate option's state in a kernel config; Absent means the config does not mention it.</summary>
public enum ConfigState { Absent, No, Module, Yes }

/// <summary>
/// The config options that decide what the seccomp catalogue can expect from a kernel, read from
/// its config file. Absent everywhere when the kernel came without a config.
/// </summary>
public sealed record KernelConfigFacts(IReadOnlyDictionary<string, ConfigState> States)
{
    /// <summary>The options `kernels list` reports, in display order.</summary>
    public static IReadOnlyList<string> Reported { get; } =
    [
        "SECCOMP", "SECCOMP_FILTER", "BPF_JIT", "BPF_JIT_ALWAYS_ON", "COMPAT", "IA32_EMULATION",
        "AUDIT", "CHECKPOINT_RESTORE", "USER_NS", "SECCOMP_CACHE_DEBUG",
    ];

    public ConfigState this[string symbol] => States.GetValueOrDefault(symbol, ConfigState.Absent);

    public bool HasConfig { get; init; } = true;

    public static KernelConfigFacts Unknown { get; } =
        new(Reported.ToDictionary(s => s, _ => ConfigState.Absent)) { HasConfig = false };

    public static KernelConfigFacts From(KernelConfig config) =>
        new(Reported.ToDictionary(s => s, s => StateOf(config[s])));

    public static ConfigState StateOf(string? value) => value switch
    {
        null => ConfigState.Absent,
        "y" => ConfigState.Yes,
        "m" => ConfigState.Module,
        "n" => ConfigState.No,
        _ => ConfigState.Yes, // a non-tristate value (number, string) means the option is set
    };

    public static string Letter(ConfigState state) => state switch
    {
        ConfigState.Yes => "y",
        ConfigState.Module => "m",
        ConfigState.No => "n",
        _ => "absent",
    };
}
