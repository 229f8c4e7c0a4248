using System.Globalization;
using Conformance.Model.Bpf;

namespace Conformance.Model.Seccomp;

/// <summary>
/// One bitmap of the kernel's struct action_cache: the name /proc/PID/seccomp_cache prints for it
/// (SECCOMP_ARCH_NATIVE_NAME or SECCOMP_ARCH_COMPAT_NAME) and the ABI whose AUDIT_ARCH_* it is
/// prepared with (SECCOMP_ARCH_NATIVE or SECCOMP_ARCH_COMPAT).
/// </summary>
public sealed record CacheArch(string Name, Abi Abi, bool Compat)
{
    public uint AuditArch => Seccomp.AuditArch.Of(Abi);
}

/// <summary>One arch's block of /proc/PID/seccomp_cache: bit nr is "ALLOW", clear is "FILTER".</summary>
public sealed record CacheBlock(string Arch, bool[] Cached);

/// <summary>
/// /proc/PID/seccomp_cache (CONFIG_SECCOMP_CACHE_DEBUG, kernel/seccomp.c proc_pid_seccomp_cache):
/// which system calls the action cache lets through without running any filter. The kernel prints
/// nothing for a task without a filter; otherwise, for the newest filter's cache (which already holds
/// the AND over the chain), the native bitmap and then, where the kernel has one, the compat bitmap,
/// each as one line "NAME NR ALLOW|FILTER" per number below that bitmap's size (seq_printf
/// "%s %d %s\n" in proc_pid_seccomp_cache_arch). Reading it needs CAP_SYS_ADMIN in the initial user
/// namespace (file_ns_capable): EACCES otherwise.
/// </summary>
public static class ActionCacheListing
{
    /// <summary>
    /// The bitmaps a kernel whose native ABI is <paramref name="native"/> keeps, in the order it prints
    /// them (arch/*/include/asm/seccomp.h): x86_64 then, with CONFIG_COMPAT, ia32; aarch64 then, with
    /// CONFIG_COMPAT, arm. x32 has no bitmap of its own: its calls carry __X32_SYSCALL_BIT in nr with
    /// arch AUDIT_ARCH_X86_64, past the end of the native bitmap, so they always run the filters
    /// (the comment beside SECCOMP_ARCH_COMPAT_NAME in arch/x86/include/asm/seccomp.h).
    /// </summary>
    public static IReadOnlyList<CacheArch> Arches(Abi native) => native switch
    {
        Abi.X86_64 => [new("x86_64", Abi.X86_64, false), new("ia32", Abi.I386, true)],
        Abi.Aarch64 => [new("aarch64", Abi.Aarch64, false), new("arm", Abi.Arm, true)],
        Abi.I386 => [new("ia32", Abi.I386, false)],
        Abi.Arm => [new("arm", Abi.Arm, false)],
        _ => throw new ArgumentOutOfRangeException(nameof(native), $"no kernel runs {Seccomp.AuditArch.Name(native)} as its native ABI"),
    };

    /// <summary>
    /// The blocks the file would hold for a task with this chain (oldest filter first), given how many
    /// numbers each of the kernel's bitmaps has (NR_syscalls, IA32_NR_syscalls...: a build's table
    /// size, which the file itself shows): nothing without a filter, else <see cref="ActionCache.Bitmap"/>
    /// per arch.
    /// </summary>
    public static IReadOnlyList<CacheBlock> Expected(IReadOnlyList<Instruction[]> chain, IReadOnlyList<(CacheArch Arch, int Count)> bitmaps, KernelProfile profile)
    {
        if (!profile.HasActionCache)
            throw new InvalidOperationException($"{profile} has no action cache (5.11+)");
        if (chain.Count == 0)
            return [];
        return bitmaps.Select(b => new CacheBlock(b.Arch.Name, ActionCache.Bitmap(chain, b.Arch.AuditArch, b.Count, profile))).ToList();
    }

    /// <summary>
    /// Reads the file's text back into blocks. Every line must be "NAME NR ALLOW" or "NAME NR FILTER",
    /// each arch's numbers must run 0, 1, 2, ... in one block, and the text must end with a newline.
    /// Anything else is an error that names the line: a cut-off read or a kernel printing another format.
    /// </summary>
    public static bool TryParse(string text, out IReadOnlyList<CacheBlock> blocks, out string error)
    {
        var result = new List<CacheBlock>();
        blocks = result;
        error = "";
        if (text.Length == 0)
            return true;
        if (!text.EndsWith('\n'))
        {
            error = "the text does not end with a newline (cut off?)";
            return false;
        }
        var lines = text[..^1].Split('\n');
        string? arch = null;
        var bits = new List<bool>();
        for (int i = 0; i < lines.Length; i++)
        {
            var parts = lines[i].Split(' ');
            if (parts.Length != 3 || parts[0].Length == 0
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var nr)
                || parts[2] is not ("ALLOW" or "FILTER"))
            {
                error = $"line {i + 1} \"{Clip(lines[i])}\" is not \"ARCH NR ALLOW|FILTER\"";
                return false;
            }
            if (parts[0] != arch)
            {
                if (arch is not null)
                    result.Add(new CacheBlock(arch, [.. bits]));
                if (result.Any(b => b.Arch == parts[0]))
                {
                    error = $"line {i + 1}: arch {parts[0]} appears in two blocks";
                    return false;
                }
                arch = parts[0];
                bits.Clear();
            }
            if (nr != bits.Count)
            {
                error = $"line {i + 1}: {arch} number {nr} where {bits.Count} comes next";
                return false;
            }
            bits.Add(parts[2] == "ALLOW");
        }
        result.Add(new CacheBlock(arch!, [.. bits]));
        return true;
    }

    static string Clip(string line) => line.Length <= 60 ? line : line[..60] + "...";
}
