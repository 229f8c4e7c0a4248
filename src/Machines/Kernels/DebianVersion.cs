namespace Conformance.Machines.Kernels;

/// <summary>
/// Orders Debian version strings as dpkg does ([epoch:]upstream[-revision]; digits compare as
/// numbers, letters before other characters, '~' before everything, even the end), so that
/// 6.1.0-9 &lt; 6.1.0-57 and 6.12.100+deb12 &gt; 6.12.99+deb12, and "newest" means what apt means.
/// </summary>
public sealed class DebianVersion : IComparer<string>
{
    public static DebianVersion Comparer { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
            return x is null ? (y is null ? 0 : -1) : 1;
        var (ex, ux, rx) = Split(x);
        var (ey, uy, ry) = Split(y);
        if (ex != ey)
            return ex.CompareTo(ey);
        var c = CompareFragment(ux, uy);
        return c != 0 ? c : CompareFragment(rx, ry);
    }

    static (long Epoch, string Upstream, string Revision) Split(string version)
    {
        var colon = version.IndexOf(':');
        var epoch = colon > 0 && long.TryParse(version[..colon], out var e) ? e : 0;
        var rest = colon > 0 ? version[(colon + 1)..] : version;
        var dash = rest.LastIndexOf('-');
        return dash >= 0 ? (epoch, rest[..dash], rest[(dash + 1)..]) : (epoch, rest, "");
    }

    /// <summary>dpkg's verrevcmp: alternating non-digit and digit runs.</summary>
    static int CompareFragment(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            while ((i < a.Length && !char.IsAsciiDigit(a[i])) || (j < b.Length && !char.IsAsciiDigit(b[j])))
            {
                var oa = i < a.Length ? Order(a[i]) : 0;
                var ob = j < b.Length ? Order(b[j]) : 0;
                if (oa != ob)
                    return oa.CompareTo(ob);
                i++;
                j++;
            }
            while (i < a.Length && a[i] == '0')
                i++;
            while (j < b.Length && b[j] == '0')
                j++;
            var firstDiff = 0;
            while (i < a.Length && char.IsAsciiDigit(a[i]) && j < b.Length && char.IsAsciiDigit(b[j]))
            {
                if (firstDiff == 0)
                    firstDiff = a[i] - b[j];
                i++;
                j++;
            }
            if (i < a.Length && char.IsAsciiDigit(a[i]))
                return 1;
            if (j < b.Length && char.IsAsciiDigit(b[j]))
                return -1;
            if (firstDiff != 0)
                return Math.Sign(firstDiff);
        }
        return 0;
    }

    static int Order(char c) =>
        char.IsAsciiDigit(c) ? 0 : char.IsAsciiLetter(c) ? c : c == '~' ? -1 : c + 256;
}
