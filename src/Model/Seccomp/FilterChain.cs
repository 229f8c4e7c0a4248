using Conformance.Model.Bpf;

namespace Conformance.Model.Seccomp;

/// <summary>
/// The filters attached to one task, oldest first, as the kernel keeps them: the attach-time path
/// arithmetic, and evaluation newest to oldest keeping the strictly most restrictive result, so on
/// a tie the newest filter's value (and data) wins. Whether a filter may be attached is the
/// install model's question (<see cref="Task.SeccompInstall"/>), not the chain's.
/// </summary>
public sealed class FilterChain
{
    /// <summary>MAX_INSNS_PER_PATH: (1 &lt;&lt; 18) / sizeof(struct sock_filter).</summary>
    public const int MaxInstructionsPerPath = 32768;

    /// <summary>Each already attached filter costs its (converted) length plus this penalty.</summary>
    public const int PerFilterPenalty = 4;

    readonly List<LoadedFilter> _filters = [];

    public KernelProfile Profile { get; }

    public FilterChain(KernelProfile profile) => Profile = profile;

    public int Count => _filters.Count;

    public IReadOnlyList<LoadedFilter> Filters => _filters;

    /// <summary>Σ (prog->len + 4) over attached filters: what seccomp_attach_filter adds to a new filter's length.</summary>
    public int PathCost { get; private set; }

    /// <summary>The index of the oldest attached filter Linux would have rejected, or -1: with one, Linux has no verdict.</summary>
    public int FirstRejected { get; private set; } = -1;

    /// <summary>A copy, as fork gives a child (the kernel shares the chain; a copy behaves the same).</summary>
    public FilterChain Clone()
    {
        var c = new FilterChain(Profile) { PathCost = PathCost, FirstRejected = FirstRejected };
        c._filters.AddRange(_filters);
        return c;
    }

    /// <summary>
    /// The length seccomp_attach_filter counts for a program: prog->len, which is the eBPF length after
    /// bpf_convert_filter. Profiles that check the path before the program is even read count the
    /// classic length the task passed.
    /// </summary>
    public int PathLength(ReadOnlySpan<Instruction> program) =>
        Profile.PathLimitBeforeChecks ? program.Length : ConvertedLength.Of(program);

    /// <summary>The path-limit rule alone: would a filter of this path length (<see cref="PathLength"/>) still fit?</summary>
    public CheckResult CheckPathLimit(int length) =>
        length + PathCost > MaxInstructionsPerPath
            ? new CheckResult(Errnos.ENOMEM, CheckRule.PathLimit, -1,
                $"chain would need {length + PathCost} instructions per path (limit {MaxInstructionsPerPath}: each attached filter counts its converted length + {PerFilterPenalty})")
            : CheckResult.Ok;

    /// <summary>Attaches a filter the kernel attached, whatever Linux would have said about it.</summary>
    public void Attach(LoadedFilter filter)
    {
        if (!filter.LinuxAccepts && FirstRejected < 0)
            FirstRejected = _filters.Count;
        _filters.Add(filter);
        PathCost += PathLength(filter.Original) + PerFilterPenalty;
    }

    /// <summary>True when a call with this arch and number runs no filter at all on this kernel.</summary>
    public bool Bypasses(uint arch, int nr) => Profile.HasActionCache && Profile.Bypasses(arch, nr);

    /// <summary>
    /// seccomp_run_filters plus the action switch: the verdict for one system call. A filter Linux
    /// rejects has no run to take part in (see <see cref="FirstRejected"/>); it is passed over so
    /// the answer stays defined, and callers that can meet one say so instead of using the verdict.
    /// </summary>
    public Verdict Evaluate(in SeccompData data)
    {
        if (_filters.Count == 0)
            return Verdict.DefaultAllow;
        if (Bypasses(data.Arch, data.Nr))
            return Verdict.DefaultAllow;

        uint ret = SeccompRet.Allow;
        int match = -1;
        var profile = Profile;
        for (int i = _filters.Count - 1; i >= 0; i--)
        {
            if (_filters[i].Runner is not { } runner)
                continue;
            uint cur = runner.Run(data);
            if (ActionSemantics.Beats(cur, ret, profile))
            {
                ret = cur;
                match = i;
            }
        }
        return ActionSemantics.VerdictOf(ret, match, profile);
    }
}
