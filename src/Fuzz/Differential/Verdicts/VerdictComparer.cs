using Conformance.Fuzzing.Findings;
using Conformance.Machines.Protocol;
using Conformance.Model.Syscalls;

namespace Conformance.Fuzzing.Verdicts;

/// <summary>Holds one stack outcome against the model: the installs first, then each input (or the digest of them all).</summary>
public sealed class VerdictComparer(FuzzArch arch, VerdictOracle oracle)
{
    /// <summary>The inputs a run made, as the guest derived them (a seeded run) or as listed.</summary>
    public IReadOnlyList<FuzzInput> Inputs(StackRun run, VerdictSetup setup, ulong[] argPool) =>
        run.Inputs ?? FuzzInputs.Seeded(run.Seed, run.Count, arch.HarmlessNumbers, argPool, arch.SlotIps.Count, s => s < setup.Mapped.Count && setup.Mapped[s]);

    /// <summary>The first departure, or null when the kernel did what the model says (or the model has no answer).</summary>
    public Discrepancy? Compare(StackOutcome outcome, VerdictSetup setup, ulong[] argPool) => Compare(outcome, setup, argPool, out _);

    /// <summary>As <see cref="Compare(StackOutcome, VerdictSetup, ulong[])"/>, also giving the records the model expects (empty when it has no answer or an install departed).</summary>
    public Discrepancy? Compare(StackOutcome outcome, VerdictSetup setup, ulong[] argPool, out IReadOnlyList<FuzzInputRecord> expectedRecords)
    {
        expectedRecords = [];
        var programs = outcome.Run.Stack.Programs(arch);
        var (expectedInstalls, thread) = oracle.Install(programs, outcome.Installs);
        for (int i = 0; i < programs.Length && i < outcome.Installs.Count; i++)
        {
            if (expectedInstalls[i] == outcome.Installs[i]) continue;
            string Name(int r) => r == VerdictOracle.NotAttempted ? "not attempted" : r == 0 ? "attached (0)" : $"-{ErrnoTable.NameOf(-r) ?? (-r).ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            return new Discrepancy(FindingKind.Install, $"install {Name(expectedInstalls[i])} -> {Name(outcome.Installs[i])}",
                $"install of filter #{i} returned {Name(outcome.Installs[i])}", $"install of filter #{i} returns {Name(expectedInstalls[i])}", null, i);
        }

        var inputs = Inputs(outcome.Run, setup, argPool);
        var expected = new List<FuzzInputRecord>(inputs.Count);
        foreach (var input in inputs)
        {
            if (oracle.Expect(thread, input, setup) is not { } r)
                return null;
            expected.Add(r);
        }
        expectedRecords = expected;
        if (outcome.Records.Count > 0)
        {
            for (int i = 0; i < expected.Count && i < outcome.Records.Count; i++)
            {
                var (e, o) = (expected[i], outcome.Records[i]);
                if (e.Equals(o)) continue;
                var signature = e.Kind == o.Kind
                    ? $"{Discrepancy.Class(e)}: {Discrepancy.Fields(e, o)} differ"
                    : $"{Discrepancy.Class(e)} -> {Discrepancy.Class(o)}";
                return new Discrepancy(FindingKind.Verdict, signature, Discrepancy.Describe(o), Discrepancy.Describe(e), inputs[i]);
            }
            return null;
        }
        if (outcome.Digest is { } digest && digest != FuzzDigest.Of(expected))
            return new Discrepancy(FindingKind.Verdict, "digest", "a different digest of the inputs' records", "the model's records", null);
        return null;
    }
}
