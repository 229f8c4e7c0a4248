using Conformance.Model.Bpf;

namespace Conformance.Model.Seccomp;

/// <summary>
/// The filters attached to one task, oldest first, as the kernel keeps them: install runs the
/// checks and the attach-time path limit; evaluation runs newest to oldest and keeps the strictly
/// most restrictive result, so on a tie the newest filter's value (and data) wins.
/// </summary>
public sealed class FilterChain
{
    /// <summary>MAX_INSNS_PER_PATH: (1 &lt;&lt; 18) / sizeof(struct sock_filter).</summary>
    public const int MaxInstructionsPerPath = 32768;

    /// <summary>Each already attached filter costs its (converted) length plus this penalty.</summary>
    public const int PerFilterPenalty = 4;

    readonly List<SeccompInterpreter> _filters = [];

    public KernelProfile Profile { get; }

    public FilterChain(KernelProfile profile) => Profile = profile;

    public int Count => _filters.Count;

    public IReadOnlyList<SeccompInterpreter> Filters => _filters;

    /// <summary>Σ (prog->len + 4) over attached filters: what seccomp_attach_filter adds to a new filter's length.</summary>
    public int PathCost { get; private set; }

    /// <summary>A copy, as fork gives a child (the kernel shares the chain; a copy behaves the same).</summary>
    public FilterChain Clone()
    {
        var c = new FilterChain(Profile) { PathCost = PathCost };
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

    /// <summary>
    /// Checks a program as the install path would (for a task allowed to install: NNP or
    /// CAP_SYS_ADMIN) and attaches it when Linux would. Returns 0 or the errno.
    /// </summary>
    public CheckResult Install(Instruction[] program) => Install(program, FilterChecker.Check(program, Profile), null);

    /// <summary>
    /// The same, for a program whose own checks were already made (and maybe decoded) by the
    /// caller: what remains depends on the chain — the path limit, and where the profile checks it.
    /// </summary>
    public CheckResult Install(Instruction[] program, CheckResult programCheck, SeccompInterpreter? loaded)
    {
        if (Profile.PathLimitBeforeChecks && program.Length is > 0 and <= Op.MaxInstructions)
        {
            var early = CheckPathLimit(program.Length);
            if (!early.Accepted) return early;
        }
        if (!programCheck.Accepted)
            return programCheck;
        var path = CheckPathLimit(PathLength(program));
        if (!path.Accepted)
            return path;
        Attach(loaded ?? SeccompInterpreter.Load(program, Profile));
        return CheckResult.Ok;
    }

    /// <summary>Attaches an already loaded filter without checks (the caller checked it).</summary>
    public void Attach(SeccompInterpreter filter)
    {
        _filters.Add(filter);
        PathCost += PathLength(filter.Original) + PerFilterPenalty;
    }

    /// <summary>seccomp_run_filters plus the action switch: the verdict for one system call.</summary>
    public Verdict Evaluate(in SeccompData data)
    {
        if (_filters.Count == 0)
            return Verdict.DefaultAllow;
        if (Profile.HasActionCache && Profile.Bypasses(data.Arch, data.Nr))
            return Verdict.DefaultAllow;

        uint ret = SeccompRet.Allow;
        int match = -1;
        var profile = Profile;
        for (int i = _filters.Count - 1; i >= 0; i--)
        {
            uint cur = _filters[i].Run(data);
            if (ActionSemantics.Beats(cur, ret, profile))
            {
                ret = cur;
                match = i;
            }
        }
        return ActionSemantics.VerdictOf(ret, match, profile);
    }
}
