namespace Conformance.Catalogue.Steps;

/// <summary>Keys every kind may take, declared once; a kind opts into the ones that mean something for it.</summary>
[Flags]
public enum CommonKeys
{
    None = 0,
    /// <summary>`expect:` — only where the step leaves something to judge.</summary>
    Expect = 1,
    /// <summary>`save:` — only where the step produces a value (a return value, a pid, a notification id).</summary>
    Save = 2,
    /// <summary>`when:` — the step is compiled only where the condition holds.</summary>
    When = 4,
}

static class CommonKeyNames
{
    public static IEnumerable<string> Of(CommonKeys keys)
    {
        if (keys.HasFlag(CommonKeys.Expect)) yield return "expect";
        if (keys.HasFlag(CommonKeys.Save)) yield return "save";
        if (keys.HasFlag(CommonKeys.When)) yield return "when";
    }
}
