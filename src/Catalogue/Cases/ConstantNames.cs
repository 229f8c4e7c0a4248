using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;

namespace Conformance.Catalogue.Cases;

/// <summary>
/// The generated kernel constants as a case may name them: by the full C name only (PR_GET_NO_NEW_PRIVS,
/// never GET_NO_NEW_PRIVS, which several families could mean), and only when the name means one
/// number on every ABI, since a case is written once for x86_64, aarch64 and their compat ABIs.
/// </summary>
public static class ConstantNames
{
    public static bool TryResolve(string name, out long value)
    {
        if (KernelConstantTable.TryGet(name, out var row) && row.Uniform is { } v) { value = v; return true; }
        value = 0;
        return false;
    }

    /// <summary>Whether text is spelt like a C constant (upper case, digits, '_'), so a failed lookup deserves an explanation.</summary>
    public static bool LooksLikeConstant(string text) =>
        text.Length > 1 && (char.IsAsciiLetterUpper(text[0]) || text[0] == '_')
        && text.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_');

    /// <summary>Why a constant-like name does not resolve, with the nearest known name when one is close.</summary>
    public static string WhyUnknown(string name)
    {
        if (KernelConstantTable.TryGet(name, out var row))
        {
            var abis = new[] { Abi.X86_64, Abi.I386, Abi.Aarch64, Abi.Arm };
            var values = string.Join(", ", abis.Select(a => $"{a}: {(row.ValueOn(a) is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "undefined")}"));
            return $"'{name}' is not one number on every ABI ({values}); write the number for the ABI the case means";
        }
        var suffixed = KernelConstantTable.All.Where(r => r.Uniform is not null && r.Name.EndsWith("_" + name, StringComparison.Ordinal)).Select(r => r.Name).ToList();
        if (suffixed.Count > 0)
            return $"unknown constant '{name}': kernel constants are named in full ({string.Join(" or ", suffixed.Take(4))})";
        return Nearest(name) is { } near
            ? $"unknown constant '{name}' (did you mean {near}?)"
            : $"unknown constant '{name}'";
    }

    /// <summary>The known name fewest single-character edits away, if it is close enough to be a likely typo.</summary>
    static string? Nearest(string name)
    {
        var candidates = KernelConstantTable.All.Where(r => r.Uniform is not null).Select(r => r.Name)
            .Concat(ErrnoTable.All.Select(e => e.Name)).Concat(KernelConstants.Signals.Keys);
        int limit = Math.Max(2, name.Length / 4);
        return candidates.Select(c => (Name: c, Distance: Distance(name, c)))
            .Where(x => x.Distance <= limit)
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Select(x => x.Name).FirstOrDefault();
    }

    static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
