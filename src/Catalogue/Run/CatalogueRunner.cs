using System.Diagnostics;
using Conformance.Machines;
using Conformance.Machines.Protocol;
using Conformance.Catalogue.Cases;
using Conformance.Catalogue.Compile;
using Conformance.Catalogue.Features;
using Conformance.Catalogue.Judge;
using Conformance.Model.Seccomp;
using Microsoft.Extensions.Logging;

namespace Conformance.Catalogue.Run;

/// <summary>
/// Runs a catalogue on one kernel: boots the machine, probes its features, compiles and sends the
/// cases in batches, judges each result as it streams back, and when the kernel panics or hangs
/// marks the running case as an error, boots a fresh machine and carries on with the rest.
/// </summary>
public sealed class CatalogueRunner(Func<IMachine> createMachine, RunOptions options, IRunSink sink, ILogger logger)
{
    public async Task<RunSummary> RunAsync(IReadOnlyList<CaseDefinition> cases, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var tally = new Tally();
        sink.OnStart(cases.Count);
        void Emit(CaseReport r)
        {
            tally.Add(r.Verdict.Status);
            sink.OnCase(r);
        }

        IMachine? machine = null;
        try
        {
            machine = createMachine();
            AgentSession session;
            try
            {
                session = await machine.StartAsync(cancellationToken);
            }
            catch (Exception e) when (e is MachineFaultException or IOException or InvalidOperationException)
            {
                // The console goes to the sink once, in finally.
                foreach (var c in cases)
                    Emit(Report(c, CaseVerdict.Errored(c.Id, $"{machine.Name} did not boot: {e.Message}"), TimeSpan.Zero, Excerpt(machine)));
                return Finish(tally, clock);
            }

            KernelFeatures features;
            KernelProfile profile;
            try
            {
                (features, profile) = await ProbeAsync(session, machine, cancellationToken);
            }
            catch (Exception e) when (e is MachineFaultException or IOException or InvalidOperationException)
            {
                foreach (var c in cases)
                    Emit(Report(c, CaseVerdict.Errored(c.Id, $"the feature probe failed on {machine.Name}: {e.Message}"), TimeSpan.Zero, Excerpt(machine)));
                return Finish(tally, clock);
            }
            var pending = Prepare(cases, machine.Arch, features, Emit);
            int next = 0, restarts = 0;
            while (next < pending.Count)
            {
                var requests = pending.Skip(next).Select((p, i) => new CaseRequest((uint)(next + i + 1), p.Compiled.Case.Timeout, p.Compiled.Program)).ToList();
                try
                {
                    await foreach (var result in session.RunAsync(requests, cancellationToken))
                    {
                        var p = pending[(int)result.CaseId - 1];
                        var verdict = Judge(p.Compiled, result, features, profile);
                        Emit(Report(p.Compiled.Case, verdict, result.Elapsed, null));
                        next = (int)result.CaseId;
                    }
                }
                catch (MachineFaultException fault)
                {
                    var p = pending[next];
                    logger.LogWarning("{Machine}: {Fault} while running {Case}; restarting", machine.Name, fault.Fault.Kind, p.Compiled.Case.Id);
                    Emit(Report(p.Compiled.Case, CaseVerdict.Errored(p.Compiled.Case.Id, $"{fault.Fault.Kind}: {fault.Fault.Summary}"),
                        TimeSpan.Zero, fault.Fault.Excerpt));
                    next++;
                    sink.OnConsole(machine.ConsoleText);
                    await machine.DisposeAsync();
                    machine = null;
                    if (++restarts > options.MaxRestarts || next >= pending.Count)
                    {
                        foreach (var rest in pending.Skip(next))
                            Emit(Report(rest.Compiled.Case, CaseVerdict.Errored(rest.Compiled.Case.Id, $"not run: the machine failed {restarts} times"), TimeSpan.Zero, null));
                        next = pending.Count;
                        break;
                    }
                    machine = createMachine();
                    try
                    {
                        session = await machine.StartAsync(cancellationToken);
                    }
                    catch (Exception e) when (e is MachineFaultException or IOException or InvalidOperationException)
                    {
                        // Every case the run announced gets a report, even when no machine comes back.
                        foreach (var rest in pending.Skip(next))
                            Emit(Report(rest.Compiled.Case, CaseVerdict.Errored(rest.Compiled.Case.Id, $"not run: {machine.Name} did not boot again: {e.Message}"),
                                TimeSpan.Zero, null));
                        return Finish(tally, clock);
                    }
                }
            }
            await session.QuitAsync(cancellationToken);
            return Finish(tally, clock);
        }
        finally
        {
            if (machine is not null)
            {
                sink.OnConsole(machine.ConsoleText);
                await machine.DisposeAsync();
            }
        }
    }

    RunSummary Finish(Tally tally, Stopwatch clock)
    {
        var summary = new RunSummary(tally.Pass, tally.Fail, tally.Skip, tally.Error, clock.Elapsed);
        sink.OnFinished(summary);
        return summary;
    }

    async Task<(KernelFeatures, KernelProfile)> ProbeAsync(AgentSession session, IMachine machine, CancellationToken ct)
    {
        var request = FeatureProbe.Request(machine.Arch, session.Hello.Helpers.Count > 0);
        CaseResult? result = null;
        await foreach (var r in session.RunAsync([request], ct))
            result = r;
        var features = FeatureProbe.Interpret(result ?? throw new InvalidOperationException("the feature probe returned nothing"), session.Hello);
        var profile = KernelProfiles.ForRelease(session.Hello.Release);
        sink.OnMachine(new MachineReport(machine.Name, options.Backend, machine.Arch, session.Hello.Release, session.Hello.Version,
            features, profile, session.ReadyAfter, options.KernelConfig));
        logger.LogInformation("{Machine}: profile {Profile}, features {Features}", machine.Name, profile.Name, string.Join(" ", features.Present.Order()));
        return (features, profile);
    }

    sealed record Pending(CompiledCase Compiled);

    /// <summary>Skips what the kernel lacks (or fails it under --expect-features) and compiles the rest for this arch.</summary>
    List<Pending> Prepare(IReadOnlyList<CaseDefinition> cases, string arch, KernelFeatures features, Action<CaseReport> report)
    {
        var pending = new List<Pending>();
        foreach (var c in cases)
        {
            if (!c.RunsOn(arch))
            {
                report(Report(c, CaseVerdict.Skipped(c.Id, $"only for {string.Join(", ", c.Arches)}"), TimeSpan.Zero, null));
                continue;
            }
            var missing = c.EffectiveNeeds.Where(n => !features.Has(n)).ToList();
            if (missing.Count > 0)
            {
                var expected = missing.Where(options.ExpectFeatures.Contains).ToList();
                report(Report(c, expected.Count > 0
                    ? new CaseVerdict(c.Id, CaseStatus.Fail, $"expected feature absent: {string.Join(", ", expected)}", [])
                    : CaseVerdict.Skipped(c.Id, $"needs {string.Join(", ", missing)}"), TimeSpan.Zero, null));
                continue;
            }
            try
            {
                pending.Add(new Pending(CaseCompiler.Compile(c, arch, features)));
            }
            catch (CaseFormatException e)
            {
                report(Report(c, CaseVerdict.Errored(c.Id, e.Message), TimeSpan.Zero, null));
            }
        }
        return pending;
    }

    static CaseVerdict Judge(CompiledCase compiled, CaseResult result, KernelFeatures features, KernelProfile profile)
    {
        try
        {
            return CaseJudge.Judge(compiled, result, features, profile);
        }
        catch (Exception e) when (e is CaseFormatException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            return CaseVerdict.Errored(compiled.Case.Id, $"judging failed: {e.Message}");
        }
    }

    static CaseReport Report(CaseDefinition c, CaseVerdict v, TimeSpan elapsed, string? excerpt) =>
        new(c, c.Id, c.Description, c.Pos.File, v, elapsed, excerpt);

    static string? Excerpt(IMachine m) => m.Fault?.Excerpt ?? (m.ConsoleText.Length > 4000 ? m.ConsoleText[^4000..] : m.ConsoleText);

    sealed class Tally
    {
        public int Pass, Fail, Skip, Error;
        public void Add(CaseStatus s)
        {
            switch (s)
            {
                case CaseStatus.Pass: Pass++; break;
                case CaseStatus.Fail: Fail++; break;
                case CaseStatus.Skip: Skip++; break;
                default: Error++; break;
            }
        }
    }
}
