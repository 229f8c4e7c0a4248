using Conformance.Executor;
using Conformance.Fuzzing.Corpus;
using Conformance.Fuzzing.Findings;
using Conformance.Model.Task;
using Microsoft.Extensions.Logging;

namespace Conformance.Fuzzing;

/// <summary>What a scenario fuzzer gets from the campaign for one kernel.</summary>
public sealed record ScenarioContext(MachineInfo Machine, KernelDescription Kernel, CaseExecutor Executor, CorpusStore Corpus,
    FindingStore Findings, FuzzStats Stats, ILogger Logger);
