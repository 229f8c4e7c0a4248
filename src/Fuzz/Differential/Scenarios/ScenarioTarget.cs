using Conformance.Executor.Features;
using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing;

/// <summary>
/// The kernel a scenario is generated for: its machine arch and the catalogue's feature names it has
/// (docs/cases.md, "Features": `filter`, `seccomp_syscall`, `action:USER_NOTIF`, `flag:TSYNC`,
/// `compat`, `int80`, `notif_continue`, ...). The generator only draws what the target has, so a
/// scenario exercises the kernel instead of being skipped; the case still lists what it needs.
/// </summary>
public sealed record ScenarioTarget
{
    public ScenarioTarget(string arch, IEnumerable<string> features)
    {
        if (arch is not ("x86_64" or "aarch64"))
            throw new ArgumentException($"arch '{arch}' must be x86_64 or aarch64", nameof(arch));
        foreach (var f in features)
            if (!FeatureNames.IsKnown(f))
                throw new ArgumentException($"unknown feature '{f}' (known: {FeatureNames.Describe()})", nameof(features));
        Arch = arch;
        Features = new SortedSet<string>(features, StringComparer.Ordinal);
    }

    public string Arch { get; }

    public IReadOnlySet<string> Features { get; }

    public bool Has(string feature) => Features.Contains(feature);

    public Abi NativeAbi => Arch == "x86_64" ? Abi.X86_64 : Abi.Aarch64;

    public Abi CompatAbi => Arch == "x86_64" ? Abi.I386 : Abi.Arm;

    public bool HasAction(SeccompAction action) => Has("action:" + SeccompRet.Name(action));

    public bool HasFlag(string flag) => Has("flag:" + flag);

    /// <summary>A kernel with every feature the catalogue knows (what a current kernel with a 32-bit helper has).</summary>
    public static ScenarioTarget Everything(string arch) =>
        new(arch, FeatureNames.All.Where(f => arch == "x86_64" || f != "int80"));

    /// <summary>What a probed kernel was found to have (the executor's feature probe).</summary>
    public static ScenarioTarget From(KernelFeatures features) =>
        new(features.Machine is "aarch64" or "arm64" ? "aarch64" : "x86_64", features.Present.Where(FeatureNames.IsKnown));

    /// <summary>
    /// What a kernel of this profile has, by the feature timeline (docs/cases.md): for generating
    /// without a machine. A 32-bit helper and int $0x80 are the machine's, not the profile's.
    /// </summary>
    public static ScenarioTarget FromProfile(string arch, KernelProfile profile, bool compat = true)
    {
        var features = new List<string> { "filter", "root" };
        if (profile.HasSeccompSyscall) features.Add("seccomp_syscall");
        foreach (var a in Enum.GetValues<SeccompAction>())
        {
            bool has = a switch
            {
                SeccompAction.KillProcess or SeccompAction.Log => profile.FullActionCompare && profile.HasLog,
                SeccompAction.UserNotif => profile.HasUserNotif,
                _ => true,
            };
            if (has) features.Add("action:" + SeccompRet.Name(a));
        }
        foreach (var (name, bit) in Model.Kernel.KernelConstants.FilterFlags)
            if (FeatureNames.Flags.Contains(name) && (profile.FilterFlags & (Model.Kernel.SeccompFilterFlags)bit) != 0)
                features.Add("flag:" + name);
        if (profile.UserNotif.HasFlag(Model.Kernel.UserNotifFeatures.Continue)) features.Add("notif_continue");
        if (profile.UserNotif.HasFlag(Model.Kernel.UserNotifFeatures.Addfd)) features.Add("notif_addfd");
        if (profile.UserNotif.HasFlag(Model.Kernel.UserNotifFeatures.AddfdSend)) features.Add("notif_addfd_send");
        if (compat) features.Add("compat");
        if (compat && arch == "x86_64") features.Add("int80");
        return new ScenarioTarget(arch, features.Distinct());
    }

    public override string ToString() => $"{Arch} [{string.Join(", ", Features)}]";
}
