using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Text;

namespace Conformance.Catalogue.Cases;

/// <summary>A filter written in the case, kept as text: it is assembled per ABI (syscall names differ).</summary>
public sealed record FilterSource(string Name, string Text, SourcePosition Pos)
{
    /// <summary>A filter made in code (a fuzzer's program), as the bpf_asm text a case file holds; with an ABI, its syscall numbers read as names.</summary>
    public static FilterSource FromProgram(string name, IReadOnlyList<Instruction> program, Abi? abi = null) =>
        new(name, Disassembler.Disassemble(program, abi), default);
}

/// <summary>
/// The kernel fix a case checks (top-level <c>fix:</c>): its subject line, the upstream version
/// that first has it, its CVE and the Debian package version that first carries it, when known.
/// </summary>
public sealed record KernelFix(string Subject, string? Upstream, string? Cve, string? Debian)
{
    /// <summary>"subject (CVE-…, upstream 5.18, Debian 6.1.190-1)": how reports name a fix a kernel lacks.</summary>
    public override string ToString()
    {
        var where = new[] { Cve, Upstream is { } u ? $"upstream {u}" : null, Debian is { } d ? $"Debian {d}" : null }.OfType<string>().ToList();
        return where.Count == 0 ? Subject : $"{Subject} ({string.Join(", ", where)})";
    }
}

/// <summary>One case, as read from its file.</summary>
public sealed record CaseDefinition(
    string Id,
    string Description,
    SourcePosition Pos,
    IReadOnlyList<string> Needs,
    IReadOnlyList<string> Arches,
    IReadOnlyDictionary<string, FilterSource> Filters,
    IReadOnlyList<Step> Steps)
{
    /// <summary>The case root's fate (default: whatever the model predicts; exit 0 when nothing kills it).</summary>
    public Expectation? Result { get; init; }

    /// <summary>The kernel fix this case checks, when it checks one (cases/fixes).</summary>
    public KernelFix? Fix { get; init; }

    /// <summary>Per-case timeout in the guest.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(10);

    public bool RunsOn(string arch) => Arches.Count == 0 || Arches.Contains(arch);

    /// <summary>
    /// What the case needs, including what its steps imply: a case that installs a filter needs filter
    /// mode whether or not it says so, so on a kernel without it the case skips instead of failing.
    /// </summary>
    public IReadOnlyList<string> EffectiveNeeds => _effectiveNeeds ??= ComputeNeeds();

    IReadOnlyList<string>? _effectiveNeeds;

    IReadOnlyList<string> ComputeNeeds()
    {
        var needs = new List<string>(Needs);
        if (!needs.Contains("filter") && Steps.Any(InstallsFilter))
            needs.Add("filter");
        return needs;
    }

    static bool InstallsFilter(Step s) => s is CallStep { Effect: InstallInfo } || s.Kind.Children(s).Any(InstallsFilter);
}
