using Conformance.Model.Bpf;

namespace Conformance.Model.Seccomp;

/// <summary>
/// A program as a kernel attached it: its instructions, Linux's checker's answer for them under
/// the profile, and the interpreter that runs them when Linux accepts them. Loading never fails:
/// a kernel under test may attach a program Linux rejects, and the model must still answer — by
/// saying that Linux gives such a program no behaviour (<see cref="Check"/> names the broken rule).
/// </summary>
public sealed class LoadedFilter
{
    LoadedFilter(Instruction[] original, CheckResult check, SeccompInterpreter? runner)
    {
        Original = original;
        Check = check;
        Runner = runner;
    }

    /// <summary>The program as the task supplied it (what PTRACE_SECCOMP_GET_FILTER returns).</summary>
    public Instruction[] Original { get; }

    /// <summary>What Linux's install-time checks say about the program under this profile.</summary>
    public CheckResult Check { get; }

    /// <summary>The interpreter, only for a program Linux accepts: nothing else may run.</summary>
    public SeccompInterpreter? Runner { get; }

    public bool LinuxAccepts => Runner is not null;

    public static LoadedFilter Load(Instruction[] program, KernelProfile profile)
    {
        var check = FilterChecker.Check(program, profile);
        return new LoadedFilter(program, check, check.Accepted ? SeccompInterpreter.LoadAccepted(program, profile) : null);
    }
}
