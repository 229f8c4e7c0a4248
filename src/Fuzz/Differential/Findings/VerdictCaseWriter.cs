using System.Globalization;
using System.Text;
using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Syscalls;
using Conformance.Model.Text;

namespace Conformance.Fuzzing.Findings;

/// <summary>
/// A verdict finding as a catalogue case: in a forked child with a recording SIGSYS handler, a
/// second thread sets no_new_privs, installs the stack and makes the call; every step asks the
/// model. The child is where FUZZ ran the input (a thread beside a live main thread), so the judge
/// predicts the same thing the fuzzer compared against.
/// </summary>
public static class VerdictCaseWriter
{
    public static string Write(string id, string comment, string arch, Abi abi, IReadOnlyList<Instruction[]> programs, bool prctl,
        int? nr, IReadOnlyList<ulong>? args)
    {
        var sb = new StringBuilder();
        foreach (var line in comment.Split('\n'))
            sb.Append("# ").AppendLine(line);
        sb.AppendLine($"id: {id}");
        sb.AppendLine($"description: found by conformance fuzz on {arch}; every step asks the model");
        sb.AppendLine("needs: [filter]");
        sb.AppendLine($"arch: [{arch}]");
        sb.AppendLine("filters:");
        for (int i = 0; i < programs.Count; i++)
        {
            sb.AppendLine($"  f{i}: |");
            foreach (var line in Disassembler.Disassemble(programs[i], abi).TrimEnd('\n').Split('\n'))
                sb.Append("    ").AppendLine(line);
        }
        sb.AppendLine("steps:");
        sb.AppendLine("  - fork:");
        sb.AppendLine("      - signal: {SIGSYS: handler}");
        sb.AppendLine("      - thread:");
        sb.AppendLine("          - nnp");
        for (int i = 0; i < programs.Count; i++)
        {
            sb.AppendLine($"          - install: f{i}");
            if (prctl) sb.AppendLine("            via: prctl");
            sb.AppendLine("            expect: model");
        }
        if (nr is { } n)
        {
            var name = SyscallTable.NameOf(abi, n);
            sb.AppendLine($"          - call: {name ?? n.ToString(CultureInfo.InvariantCulture)}");
            if (args is { Count: > 0 })
                sb.AppendLine($"            args: [{string.Join(", ", args.Select(a => $"0x{a:x}"))}]");
            // Allowed, a number no kernel implements fails with ENOSYS; the identity calls succeed.
            sb.AppendLine(name is null ? "            allowed: {errno: ENOSYS}" : "            allowed: {any: true}");
            sb.AppendLine("            expect: model");
        }
        sb.AppendLine("        save: t");
        sb.AppendLine("      - join: $t");
        sb.AppendLine("    save: child");
        sb.AppendLine("  - wait: $child");
        sb.AppendLine("    expect: model");
        return sb.ToString();
    }
}
