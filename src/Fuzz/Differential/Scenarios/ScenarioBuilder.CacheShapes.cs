using System.Globalization;
using Conformance.Model.Seccomp;

namespace Conformance.Fuzzing;

/// <summary>
/// Filter shapes for the kernel's action cache (5.11+, seccomp_is_const_allow in kernel/seccomp.c):
/// when a filter is attached the kernel runs it once per (arch, nr) with only those two known,
/// following `ld [nr]`, `ld [arch]`, `and #K`, `jeq/jge/jgt/jset #K`, `ja` and `ret #K`, and
/// allows from then on, without running any filter, every number whose path ends in exactly
/// `ret #ALLOW`. Two shapes put that to work on whole ranges of numbers, not only the few a rule
/// catches: detours in front of the dispatch (<see cref="CacheDetour"/>), which send the numbers a
/// test picks through instructions the emulator gives up on (or `ja` over them) and change no
/// verdict; and rule bodies that decide on nr and arch alone, with `ret #ALLOW` on some paths
/// (and ALLOW with data, or through A, which the emulator does not cache) mixed with paths that
/// load arguments, use X, other ALU ops or scratch memory. A kernel whose cache disagrees with its
/// filters shows it in every call's verdict; one with CONFIG_SECCOMP_CACHE_DEBUG also in the listing.
/// </summary>
internal sealed partial class ScenarioBuilder
{
    /// <summary>Percent of random filters with detours, of protocol filters with detours, of rules whose body decides on nr and arch.</summary>
    const int DetourChance = 35, ProtocolDetourChance = 20, CacheBodyChance = 30;

    /// <summary>Numbers a test of nr picks from: about every table's size (x86_64 and arm64 below 460), where the bitmaps are.</summary>
    const int TableTop = 460;

    IReadOnlyList<CacheDetour> Detours(int percent)
    {
        if (!_r.Chance(percent))
            return [];
        int n = _r.Weighted((1, 50), (2, 35), (3, 15));
        return Enumerable.Range(0, n).Select(i => Detour(first: i == 0)).ToList();
    }

    CacheDetour Detour(bool first)
    {
        var test = new List<string>();
        // Nothing loaded: A is 0 before the first instruction (for the emulator too), else what the detour before left.
        var field = _r.Weighted(("nr", 60), ("arch", 25), ("a", first ? 5 : 15));
        if (field != "a")
            test.Add($"ld [{field}]");
        uint? mask = null;
        if (field == "nr" && _r.Chance(30))
        {
            mask = Mask();
            test.Add($"and #0x{mask:x}");
        }
        var jump = _r.Weighted(("jeq", 25), ("jge", 25), ("jgt", 20), ("jset", 30));
        var operand = field == "arch" ? ArchConstant(jump) : NrConstant(jump, mask, _pool[_r.Pick(Abis)]);
        return new CacheDetour(test, jump, operand, _r.Chance(50), DetourBody());
    }

    /// <summary>
    /// What the picked numbers go through: one or two instructions the emulator gives up on (that fall
    /// through, and change nothing the dispatch after them reads), or, a fifth of the time, a `ja` over
    /// them, which the emulator follows, so those numbers stay cacheable.
    /// </summary>
    List<string> DetourBody()
    {
        var body = new List<string>();
        if (_r.Chance(20))
            body.Add($"ja {CacheDetour.MergeLabel}");
        body.AddRange(GivesUp());
        if (_r.Chance(25))
            body.AddRange(GivesUp());
        return body;
    }

    /// <summary>
    /// Instructions seccomp_is_const_allow gives up on, none of which returns or jumps out: a load of
    /// an argument, `ld #K`, `ld len`, X, an ALU op other than AND K, scratch memory, a jump against X
    /// to where it would fall through anyway. The model cannot say what a call does once any filter of
    /// the chain loads a field the call leaves unknown (FilterReads is syntactic), so the loads here
    /// are of args 3 to 5 only, which the steps' own calls pass as constants (the fprog pointer of an
    /// install, capset's and the ioctls' buffers are args 0 to 2), and never of the instruction pointer.
    /// </summary>
    IEnumerable<string> GivesUp(bool mayJump = true)
    {
        int slot = _r.Next(16);
        return _r.Weighted(("arg", 25), ("imm", 10), ("len", 5), ("x", 15), ("alu", 25), ("scratch", 12), ("jx", mayJump ? 8 : 0)) switch
        {
            "arg" => [_r.Chance(70) ? $"ld [args[{_r.Between(3, 5)}]]" : $"ld [args_hi[{_r.Between(3, 5)}]]"],
            "imm" => [$"ld #0x{(uint)_r.NextU64():x}"],
            "len" => [_r.Chance(50) ? "ld len" : "ldx len"],
            "x" => [_r.Pick(new[] { $"ldx #{_r.Next(1000)}", "tax", "txa" })],
            "alu" => [_r.Pick(new[]
            {
                $"add #{_r.Between(0, 5)}", $"sub #{_r.Between(0, 5)}", $"or #0x{_r.Next(0x100):x}", $"xor #0x{_r.Next(0x100):x}",
                $"lsh #{_r.Between(0, 31)}", $"rsh #{_r.Between(0, 31)}", $"mul #{_r.Between(0, 7)}", $"div #{_r.Between(1, 9)}",
                "neg", "and x", "or x", "add x",
            })],
            "scratch" => _r.Chance(50) ? [$"st M[{slot}]", $"ld M[{slot}]"] : [_r.Chance(50) ? $"st M[{slot}]" : $"stx M[{slot}]"],
            _ => [$"jeq x, {CacheDetour.MergeLabel}, {CacheDetour.MergeLabel}"],
        };
    }

    /// <summary>A mask for `and #K` before a test of nr: it folds numbers onto each other (and #0xff: n and n+256).</summary>
    uint Mask() => _r.Weighted((0xffu, 30), (0x1ffu, 15), (0x3fu, 10), (0xf0u, 10), (0xfu, 10), ((uint)_r.Between(1, 0xfff), 25));

    /// <summary>A constant to test nr (masked or not) against: a number calls make, one next to it, or any number of the tables.</summary>
    string NrConstant(string jump, uint? mask, IReadOnlyList<int> numbers)
    {
        uint k = jump == "jset"
            ? _r.Weighted((1u << _r.Next(10), 70), ((uint)_r.Between(1, 0x3ff), 30))
            : _r.Weighted(((uint)_r.Pick(numbers), 40), ((uint)_r.Pick(numbers) + 1, 10), ((uint)_r.Pick(numbers) - 1, 10), ((uint)_r.Next(TableTop), 40));
        if (mask is { } m && _r.Chance(80))
            k &= m;
        return k < 4096 ? $"#{k.ToString(CultureInfo.InvariantCulture)}" : $"#0x{k:x}";
    }

    /// <summary>A constant to test arch against: an arch the machine runs, its 64-bit or little-endian bit, or a value next to one.</summary>
    string ArchConstant(string jump)
    {
        uint arch = AuditArch.Of(_r.Pick(Abis));
        uint k = jump switch
        {
            "jeq" => arch,
            "jset" => _r.Pick(new uint[] { 0x80000000, 0x40000000, 1, 0x80 }),
            _ => _r.Weighted((arch, 40), (arch + 1, 20), (0x80000000u, 20), (0xc0000000u, 20)),
        };
        return $"#0x{k:x}";
    }

    /// <summary>
    /// A rule body that decides on nr and arch alone (A holds nr when it starts): tests with or without
    /// a load, `and #K` before some, `ja` over dead code, leaves that are often exactly ALLOW (cached),
    /// sometimes ALLOW with data or through A (allowed, not cached), else the rule's action; and a
    /// subtree of the ordinary kind here and there (arguments, X, ALU, scratch: the emulator gives up).
    /// </summary>
    FilterNode CacheTree(int depth, Func<FilterAction> leaf, IReadOnlyList<int> numbers, string holds = "nr")
    {
        if (depth == 0 || _r.Chance(20))
            return _r.Weighted(("allow", 45), ("allow_data", 8), ("leaf", 47)) switch
            {
                "allow" => new FilterLeaf(FilterAction.Allow, ThroughA: _r.Chance(12)),
                "allow_data" => new FilterLeaf(new FilterAction(SeccompRet.Allow | (uint)_r.Between(1, 0xffff))),
                _ => new FilterLeaf(leaf(), ThroughA: _r.Chance(10)),
            };
        var kind = _r.Weighted(("test", 75), ("skip", 10), ("mixed", 15));
        if (kind == "skip")
            return new FilterSkip(GivesUp(mayJump: false).ToList(), CacheTree(depth - 1, leaf, numbers, holds));
        if (kind == "mixed")
            return Tree(depth, leaf);
        var prelude = new List<string>();
        var field = _r.Weighted(("a", 30), ("nr", 45), ("arch", 25));
        if (field != "a")
        {
            prelude.Add($"ld [{field}]");
            holds = field;
        }
        uint? mask = null;
        if (holds == "nr" && _r.Chance(25))
        {
            mask = Mask();
            prelude.Add($"and #0x{mask:x}");
        }
        var jump = _r.Weighted(("jeq", 35), ("jge", 20), ("jgt", 15), ("jset", 30));
        var operand = holds == "arch" ? ArchConstant(jump) : NrConstant(jump, mask, numbers);
        // After `and`, A holds a masked number: the children test it as it is or load again.
        var after = mask is null ? holds : "masked";
        return new FilterTest(prelude, jump, operand, CacheTree(depth - 1, leaf, numbers, after), CacheTree(depth - 1, leaf, numbers, after));
    }
}
