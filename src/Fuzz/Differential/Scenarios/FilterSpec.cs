using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing;

/// <summary>
/// One rule of a generated filter: for one ABI, the numbers it catches (a `jeq` each) or a range of
/// unimplemented numbers (`jge`/`jgt`), and the decision tree that answers them.
/// </summary>
public sealed record FilterRule(Abi Abi, IReadOnlyList<int> Numbers, int RangeLow, int RangeHigh, FilterNode Body)
{
    public bool IsRange => Numbers.Count == 0;

    public bool Catches(int nr) => IsRange ? nr >= RangeLow && nr <= RangeHigh : Numbers.Contains(nr);
}

/// <summary>
/// A generated filter, kept as structure so it can be reasoned about and shrunk: it dispatches on
/// the arch, then on the number through its rules (in order: the numbers first, then the ranges);
/// anything no rule catches gets <see cref="Default"/> (ALLOW), so the agent's own calls always
/// pass. <see cref="Detours"/> come first and change no verdict, only what the kernel's action
/// cache can follow. A <see cref="Flaw"/> puts one instruction Linux's checker refuses in front
/// (the install must fail with EINVAL and attach nothing). A pinned filter belongs to a protocol
/// (a listener's, a tracer's) and is never shrunk rule by rule.
/// </summary>
public sealed record FilterSpec(string Name, FilterAction Default, IReadOnlyList<FilterRule> Rules)
{
    public FilterFlaw? Flaw { get; init; }

    /// <summary>Tests of nr or arch in front of the dispatch that send some numbers through instructions the cache emulator gives up on (<see cref="CacheDetour"/>).</summary>
    public IReadOnlyList<CacheDetour> Detours { get; init; } = [];

    public bool Pinned { get; init; }

    /// <summary>Linux attaches it (no flaw): what the generator's reasoning assumes of every install of it.</summary>
    public bool Attachable => Flaw is null;

    /// <summary>Every value the filter can return for this call (the union over its branches).</summary>
    public IEnumerable<FilterAction> Possible(Abi abi, int nr)
    {
        if (!Attachable)
            return [];
        var rule = Rules.FirstOrDefault(r => r.Abi == abi && !r.IsRange && r.Catches(nr))
            ?? Rules.FirstOrDefault(r => r.Abi == abi && r.IsRange && r.Catches(nr));
        return rule is null ? [Default] : rule.Body.Leaves;
    }

    /// <summary>Every value it can return for anything.</summary>
    public IEnumerable<FilterAction> AllLeaves => Rules.SelectMany(r => r.Body.Leaves).Append(Default);

    /// <summary>The numbers some rule catches, per ABI (the ranges as their bounds).</summary>
    public bool Targets(Abi abi, int nr) => Rules.Any(r => r.Abi == abi && r.Catches(nr));

    /// <summary>The filter as bpf_asm text (docs/filter-text.md), one instruction a line, no indentation.</summary>
    public string Render()
    {
        var lines = new List<string>();
        if (Flaw is { } flaw)
            lines.AddRange(flaw.Lines);
        int next = 0;
        string NewLabel() => $"l{next++}";
        var abis = Rules.Select(r => r.Abi).Distinct().ToList();
        // Each detour's merge point labels the next detour's first line, the last one `ld [arch]`.
        string? merge = null;
        for (int d = 0; d < Detours.Count; d++)
            merge = Detours[d].Render(lines, merge, $"d{d}", $"m{d}");
        lines.Add(merge is null ? "ld [arch]" : $"{merge}: ld [arch]");
        var sections = abis.ToDictionary(a => a, a => $"{AuditArch.Name(a)}_nr");
        foreach (var abi in abis)
            lines.Add($"jeq #{ArchName(abi)}, {sections[abi]}");
        lines.Add($"ret {Default.Operand}");
        var bodies = new List<(string Label, FilterRule Rule)>();
        foreach (var abi in abis)
        {
            // Rules by index (two rules may be equal records): the numbers first, then the ranges.
            var rules = Enumerable.Range(0, Rules.Count).Where(i => Rules[i].Abi == abi).ToList();
            var labels = rules.ToDictionary(i => i, _ => NewLabel());
            var numberRules = rules.Where(i => !Rules[i].IsRange).ToList();
            var rangeRules = rules.Where(i => Rules[i].IsRange).ToList();
            bool first = true;
            string Head(string text)
            {
                var line = first ? $"{sections[abi]}: {text}" : text;
                first = false;
                return line;
            }
            lines.Add(Head("ld [nr]"));
            foreach (var i in numberRules)
                foreach (var nr in Rules[i].Numbers)
                    lines.Add($"jeq {HarmlessCalls.Operand(abi, nr)}, {labels[i]}");
            var upper = rangeRules.ToDictionary(i => i, _ => NewLabel());
            foreach (var i in rangeRules)
                lines.Add($"jge #{Rules[i].RangeLow}, {upper[i]}");
            lines.Add($"ret {Default.Operand}");
            foreach (var i in rangeRules)
            {
                var outside = NewLabel();
                lines.Add($"{upper[i]}: jgt #{Rules[i].RangeHigh}, {outside}, {labels[i]}");
                lines.Add($"{outside}: ret {Default.Operand}");
            }
            foreach (var i in rules)
                bodies.Add((labels[i], Rules[i]));
        }
        foreach (var (label, rule) in bodies)
            rule.Body.Render(lines, label, NewLabel);
        return string.Join("\n", lines) + "\n";
    }

    static string ArchName(Abi abi) => abi switch
    {
        Abi.X86_64 => "AUDIT_ARCH_X86_64",
        Abi.I386 => "AUDIT_ARCH_I386",
        Abi.Aarch64 => "AUDIT_ARCH_AARCH64",
        Abi.Arm => "AUDIT_ARCH_ARM",
        _ => throw new ArgumentOutOfRangeException(nameof(abi)),
    };
}

/// <summary>
/// A detour in front of a filter's dispatch for the kernel's action cache (seccomp_is_const_allow,
/// kernel/seccomp.c), which runs each filter once per (arch, nr) knowing only those two and follows
/// `ld [nr]`, `ld [arch]`, `and #K`, `jeq/jge/jgt/jset #K`, `ja` and `ret #K`, and gives up on
/// anything else. <see cref="Test"/> (loads and `and #K`, or nothing: whatever A holds, 0 at the
/// start) and `JUMP OPERAND` pick numbers (jt when <see cref="DetourOnTrue"/>, else jf) that go
/// through <see cref="Body"/>: instructions the emulator gives up on (an argument, `ld #K`, `ld len`,
/// X, an ALU op other than AND K, scratch memory, a jump against X), or a `ja` over them. Either way
/// the body falls through to the merge point, the next detour or the dispatch, which loads what it
/// tests again: a detour never changes what the filter returns, only which numbers the cache holds.
/// </summary>
public sealed record CacheDetour(IReadOnlyList<string> Test, string Jump, string Operand, bool DetourOnTrue, IReadOnlyList<string> Body)
{
    /// <summary>In a <see cref="Body"/> line, the label of the instruction after the detour (`ja @merge`, `jeq x, @merge, @merge`).</summary>
    public const string MergeLabel = "@merge";

    /// <summary>The emulator follows the body to the merge point: it only jumps over what it would give up on.</summary>
    public bool Followable => Body.Count > 0 && Body[0] == $"ja {MergeLabel}";

    /// <summary>Writes the detour, its first line labelled <paramref name="label"/> if given; returns the merge label for the next line.</summary>
    internal string Render(List<string> lines, string? label, string detour, string merge)
    {
        var first = label;
        void Add(string text)
        {
            lines.Add(first is null ? text : $"{first}: {text}");
            first = null;
        }
        foreach (var t in Test)
            Add(t);
        Add(DetourOnTrue ? $"{Jump} {Operand}, {detour}, {merge}" : $"{Jump} {Operand}, {merge}, {detour}");
        first = detour;
        foreach (var b in Body)
            Add(b.Replace(MergeLabel, merge, StringComparison.Ordinal));
        return merge;
    }
}

/// <summary>Instructions put in front of a filter that Linux's checker refuses on every kernel (the install fails with EINVAL).</summary>
public sealed record FilterFlaw(string Why, IReadOnlyList<string> Lines)
{
    public static readonly IReadOnlyList<FilterFlaw> All =
    [
        new("a misaligned load", ["ld [1]"]),
        new("a load past seccomp_data", ["ld [64]"]),
        new("scratch memory read before it is written", ["ld M[3]"]),
        new("a jump past the end", [".insn 0x05, 0, 0, 250"]),
        new("a division by the constant zero", ["ld [nr]", "div #0"]),
        new("more than 4096 instructions", [".repeat 4096 ld [nr]"]),
    ];
}
