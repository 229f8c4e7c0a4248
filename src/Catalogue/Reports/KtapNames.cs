using System.Text;

namespace Conformance.Catalogue.Reports;

/// <summary>
/// Test names for KTAP result lines: LKFT slugifies names to [A-Za-z0-9_-] and GitLab keeps only the
/// first of equal names, so each case gets a slug-safe name that is unique within its run.
/// </summary>
public sealed class KtapNames
{
    readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>The id with '/' and every other character outside [A-Za-z0-9_-] turned into '_'.</summary>
    public static string Slug(string id)
    {
        var sb = new StringBuilder(id.Length);
        foreach (var c in id)
            sb.Append(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' ? c : '_');
        return sb.Length > 0 ? sb.ToString() : "_";
    }

    /// <summary>The slug, or the slug with _2, _3 ... when ids such as a/b_c and a_b/c collide.</summary>
    public string Unique(string id)
    {
        var slug = Slug(id);
        var name = slug;
        for (int n = 2; !_used.Add(name); n++)
            name = $"{slug}_{n}";
        return name;
    }
}
