using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing;

/// <summary>
/// Random filters: rules for the pool's numbers (or a range of unimplemented ones) whose bodies are
/// small decision trees over seccomp_data with constants from the value pool, ending in the action
/// space the target has. Each one is assembled for every ABI the machine runs and held to Linux's
/// checker before it is used, so a filter is refused only when a flaw was put in on purpose.
/// </summary>
internal sealed partial class ScenarioBuilder
{
    readonly HashSet<string> _tame = [];

    FilterSpec ReuseOrNewFilter(bool tame)
    {
        var reusable = _filters.Where(f => !f.Pinned && (!tame || _tame.Contains(f.Name))).ToList();
        return reusable.Count > 0 && _r.Chance(25) ? _r.Pick(reusable) : NewFilter(tame);
    }

    /// <summary>
    /// A new random filter. A tame one returns only ALLOW, LOG, ERRNO, TRACE and USER_NOTIF (it has
    /// no listener: ENOSYS): whoever it lands on can neither die of it nor wait on it.
    /// </summary>
    FilterSpec NewFilter(bool tame, bool traceHeavy = false, IReadOnlyList<FilterAction>? only = null)
    {
        var name = $"f{_filters.Count}";
        var rules = new List<FilterRule>();
        foreach (var abi in Abis)
        {
            int count = abi == _t.NativeAbi ? _r.Between(1, 3) : _r.Weighted((0, 40), (1, 40), (2, 20));
            for (int i = 0; i < count; i++)
                rules.Add(only is null ? Rule(abi, () => Leaf(tame, traceHeavy), cacheBodies: true) : Rule(abi, () => _r.Pick(only)));
        }
        var filter = new FilterSpec(name, FilterAction.Allow, rules) { Detours = Detours(DetourChance) };
        if (tame && _r.Chance(6))
            filter = filter with { Flaw = _r.Pick(FilterFlaw.All) };
        filter = Fit(filter);
        _filters.Add(filter);
        if (tame) _tame.Add(name);
        return filter;
    }

    /// <summary>A protocol's filter: for one reserved number, every path returns <paramref name="action"/>; anything else is allowed.</summary>
    FilterSpec ProtocolFilter(string name, int nr, Func<FilterAction> action)
    {
        var body = Tree(_r.Between(0, 2), action);
        var filter = Fit(new FilterSpec(name, FilterAction.Allow, [new FilterRule(_t.NativeAbi, [nr], 0, 0, body)])
            { Pinned = true, Detours = Detours(ProtocolDetourChance) });
        _filters.Add(filter);
        return filter;
    }

    /// <summary>
    /// A rule for some of the pool's numbers, or a range of unimplemented ones around one. With
    /// <paramref name="cacheBodies"/>, its body sometimes decides on nr and arch alone (<see cref="CacheTree"/>).
    /// </summary>
    FilterRule Rule(Abi abi, Func<FilterAction> leaf, bool cacheBodies = false)
    {
        int depth = _r.Weighted((0, 30), (1, 40), (2, 30));
        bool cacheBody = cacheBodies && _r.Chance(CacheBodyChance);
        FilterNode Body(IReadOnlyList<int> numbers) => cacheBody ? CacheTree(depth + 1, leaf, numbers) : Tree(depth, leaf);
        var unimplemented = _pool[abi].Where(HarmlessCalls.IsUnimplemented).ToList();
        if (unimplemented.Count > 0 && _r.Chance(20))
        {
            int around = _r.Pick(unimplemented);
            int lo = Math.Max(HarmlessCalls.UnimplementedLow, around - _r.Next(200));
            int hi = Math.Min(TargetHigh, around + _r.Next(200));
            return new FilterRule(abi, [], lo, hi, Body([lo, around, hi]));
        }
        var numbers = _r.Shuffle(_pool[abi]).Take(_r.Weighted((1, 75), (2, 25))).ToList();
        return new FilterRule(abi, numbers, 0, 0, Body(numbers));
    }

    /// <summary>The value a leaf returns: an action the target has, with data from the interesting values.</summary>
    FilterAction Leaf(bool tame, bool traceHeavy)
    {
        for (int attempt = 0; ; attempt++)
        {
            var action = _r.Weighted(
                (SeccompAction.Allow, 14), (SeccompAction.Log, 7), (SeccompAction.Errno, 26),
                (SeccompAction.Trap, tame ? 0 : 11), (SeccompAction.Trace, traceHeavy ? 45 : 10),
                (SeccompAction.KillThread, tame ? 0 : 6), (SeccompAction.KillProcess, tame ? 0 : 6),
                (SeccompAction.UserNotif, 5));
            if (!_t.HasAction(action) && attempt < 20)
                continue;
            if (!_t.HasAction(action))
                return FilterAction.Allow;
            if (!tame && _r.Chance(2))
                return new FilterAction(_r.Pick(new uint[] { 0x00010000, 0x00060000, 0x7ff80000, 0x40000000 }));
            return action switch
            {
                SeccompAction.Errno => FilterAction.Errno(_r.Weighted((0, 5), (1, 15), (3, 15), (13, 10), (22, 10), (95, 5), (4095, 8), (4096, 8), (0xffff, 6), (_r.Between(1, 133), 18))),
                SeccompAction.Trap => FilterAction.Trap(_r.Chance(30) ? 0 : _r.Next(0x10000)),
                SeccompAction.Trace => FilterAction.Trace(_r.Chance(30) ? 0 : _r.Next(0x10000)),
                SeccompAction.Allow => FilterAction.Allow,
                SeccompAction.Log => FilterAction.Log,
                SeccompAction.KillThread => FilterAction.KillThread,
                SeccompAction.KillProcess => FilterAction.KillProcess,
                _ => FilterAction.UserNotif,
            };
        }
    }

    /// <summary>A decision tree of at most <paramref name="depth"/> tests.</summary>
    FilterNode Tree(int depth, Func<FilterAction> leaf)
    {
        if (depth == 0 || _r.Chance(25))
            return new FilterLeaf(leaf(), ThroughA: _r.Chance(10));
        var prelude = new List<string>();
        var field = _r.Weighted(
            ("args[0]", 22), ("args[1]", 12), ("args[2]", 6), ("args[5]", 3), ("args_hi[0]", 8), ("args_hi[1]", 4),
            // The model gives up on every call of an actor once any of its filters loads the
            // instruction pointer (FilterReads is syntactic): rare, so most steps stay judged.
            ("nr", 6), ("arch", 4), ("ip", _r.Chance(25) ? 1 : 0), ("ip_hi", _r.Chance(25) ? 1 : 0));
        bool againstX = _r.Chance(20);
        if (againstX)
        {
            if (_r.Chance(50))
                prelude.Add($"ldx #{Constant(field)}");
            else
            {
                prelude.Add($"ld [{_r.Pick(new[] { "args[0]", "args[1]", "args_hi[0]", "args[3]" })}]");
                prelude.Add("tax");
            }
        }
        prelude.Add($"ld [{field}]");
        if (_r.Chance(30))
            prelude.Add(_r.Weighted(
                ($"and #0x{(uint)_r.NextU64():x}", 3), ($"or #0x{_r.Next(0x10000):x}", 2), ($"add #{_r.Between(1, 3)}", 2),
                ($"sub #{_r.Between(1, 3)}", 2), ($"xor #0x{(uint)_r.NextU64():x}", 2), ($"rsh #{_r.Between(1, 31)}", 2),
                ($"lsh #{_r.Between(1, 31)}", 2), ($"mul #{_r.Between(2, 7)}", 1), ("neg", 1), ($"div #{_r.Between(2, 9)}", 1)));
        if (_r.Chance(10))
        {
            int slot = _r.Next(16);
            prelude.Add($"st M[{slot}]");
            prelude.Add($"ld M[{slot}]");
        }
        var jump = _r.Weighted(("jeq", 45), ("jgt", 20), ("jge", 15), ("jset", 20));
        var operand = againstX ? "x" : $"#{Constant(field)}";
        return new FilterTest(prelude, jump, operand, Tree(depth - 1, leaf), Tree(depth - 1, leaf));
    }

    /// <summary>A 32-bit constant to compare a field with: what calls pass (a half of a pool value, or next to it), the number or the arch.</summary>
    string Constant(string field)
    {
        if (field == "nr")
            return $"{_r.Pick(_pool[_r.Pick(Abis)])}";
        if (field == "arch")
            return $"0x{AuditArch.Of(_r.Pick(Abis)):x}";
        var v = _r.Pick(_values);
        uint k = field.Contains("_hi", StringComparison.Ordinal) ? (uint)(v >> 32) : (uint)v;
        k = _r.Weighted((k, 70), (k + 1, 10), (k - 1, 10), ((uint)_r.Next(4), 10));
        return k < 4096 ? k.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"0x{k:x}";
    }

    /// <summary>
    /// The filter as every ABI's assembler and Linux's checker see it: rules are dropped from the end
    /// until its jumps fit bpf's 255; a filter without a flaw that the checker refuses is a bug here.
    /// </summary>
    FilterSpec Fit(FilterSpec filter)
    {
        while (true)
        {
            var text = filter.Render();
            try
            {
                foreach (var abi in new[] { _t.NativeAbi, _t.CompatAbi })
                {
                    var program = CaseCompiler.Assemble(new FilterSource(filter.Name, text, default), abi);
                    bool accepted = LoadedFilter.Load(program, KernelProfiles.Default).LinuxAccepts;
                    if (accepted != filter.Attachable)
                        throw new InvalidOperationException($"generated filter {filter.Name} is {(accepted ? "accepted" : "refused")} by Linux's checker:\n{text}");
                }
                return filter;
            }
            catch (CaseFormatException) when (filter.Rules.Count > 1)
            {
                filter = filter with { Rules = filter.Rules.Take(filter.Rules.Count - 1).ToList() };
            }
        }
    }
}
