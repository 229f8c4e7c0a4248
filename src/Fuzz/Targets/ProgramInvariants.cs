using Conformance.Model.Bpf;
using Conformance.Model.Kernel;
using Conformance.Model.Seccomp;
using Conformance.Model.Task;
using Conformance.Model.Text;

namespace Conformance.Fuzz.Targets;

/// <summary>
/// What the model promises for any instruction list, checked independently of the code that
/// keeps the promise. Shared by the targets so each input that reaches a program checks them all.
/// </summary>
public static class ProgramInvariants
{
    static readonly Abi?[] DisassemblyAbis = [null, Abi.X86_64, Abi.Aarch64];

    /// <summary>assemble(disassemble(p)) == p, with and without syscall names.</summary>
    public static void RoundTripsThroughAsm(Instruction[] program)
    {
        // bpf_asm text cannot say "no instructions": the assembler refuses empty source, as
        // bpf_asm does, so the empty program has no asm form to round-trip through.
        if (program.Length == 0)
            return;
        foreach (var abi in DisassemblyAbis)
        {
            string text = Disassembler.Disassemble(program, abi);
            Instruction[] back;
            try
            {
                back = Assembler.Assemble(text);
            }
            catch (FilterSyntaxException e)
            {
                throw new FuzzInvariantException($"the disassembly (abi {abi}) does not assemble: {e.Message}\n{text}");
            }
            if (!back.AsSpan().SequenceEqual(program))
                throw new FuzzInvariantException($"assemble(disassemble(p)) != p (abi {abi})\n{text}");
        }
    }

    /// <summary>
    /// The checker's verdict under every profile; an accepted program is one whose every path
    /// stays inside it and ends in a RET (jumps only go forward, so in-range targets and a final
    /// RET are enough). Then the model must answer for the program, accepted or not.
    /// </summary>
    public static void CheckedAndAnswered(Instruction[] program, in SeccompData data)
    {
        foreach (var profile in KernelProfiles.All)
        {
            var loaded = LoadedFilter.Load(program, profile);
            if (loaded.LinuxAccepts)
            {
                EndsInReachableReturn(program, profile);
                RunsAlike(loaded.Runner!, data, profile);
            }
            else if (loaded.Check.Errno == 0)
                throw new FuzzInvariantException($"{profile.Name}: rejected with errno 0 ({loaded.Check})");
            TaskModelAnswers(program, data, profile, loaded.LinuxAccepts);
        }
    }

    static void EndsInReachableReturn(Instruction[] p, KernelProfile profile)
    {
        if (p.Length is 0 or > Op.MaxInstructions)
            throw new FuzzInvariantException($"{profile.Name} accepted a program of {p.Length} instructions");
        ushort last = p[^1].Code;
        if (last != (Op.RET | Op.K) && last != (Op.RET | Op.A))
            throw new FuzzInvariantException($"{profile.Name} accepted a program whose last instruction is 0x{last:x2}, not a RET");
        for (int pc = 0; pc < p.Length; pc++)
        {
            var i = p[pc];
            if (Op.ClassOf(i.Code) != Op.JMP)
                continue;
            long furthest = i.Code == (Op.JMP | Op.JA) ? pc + 1L + i.K : pc + 1L + Math.Max(i.Jt, i.Jf);
            if (furthest >= p.Length)
                throw new FuzzInvariantException($"{profile.Name} accepted a jump at {pc} to {furthest}, past the end ({p.Length})");
        }
    }

    /// <summary>The interpreter is the reference; the IL-compiled fast path must agree with it.</summary>
    static void RunsAlike(SeccompInterpreter runner, in SeccompData data, KernelProfile profile)
    {
        uint interpreted = runner.Interpret(data);
        uint compiled = runner.RunCompiled(data);
        if (interpreted != compiled)
            throw new FuzzInvariantException($"{profile.Name}: interpreted 0x{interpreted:x8} but compiled 0x{compiled:x8}");
    }

    /// <summary>Install and a call under the program (on top of an accepted older filter) answer without throwing.</summary>
    static void TaskModelAnswers(Instruction[] program, in SeccompData data, KernelProfile profile, bool accepted)
    {
        var kernel = new KernelDescription(profile) { HasSeccompSyscall = true };
        var request = InstallRequest.Plain(InstallCall.Seccomp, program);
        var task = new TaskState(Abi.X86_64, profile) { NoNewPrivs = true }
            .Attach(LoadedFilter.Load([Instruction.Stmt(Op.RET | Op.K, SeccompRet.Allow)], profile), SeccompFilterFlags.None);
        var install = SeccompInstall.Decide(task, kernel, request);
        if (install.Accepted && !accepted)
            throw new FuzzInvariantException($"{profile.Name}: the install model attaches a program the checker rejects");

        // The kernel under test said 0 whatever Linux would: the model must still answer.
        var attached = task.AfterInstall(request, 0);
        var args = new[] { data.Arg0, data.Arg1, data.Arg2, data.Arg3, data.Arg4, data.Arg5 };
        var outcome = SeccompSyscall.Decide(attached, kernel, SyscallQuery.Known(Abi.X86_64, data.Nr, args));
        if (outcome is LinuxRejectsFilter == accepted)
            throw new FuzzInvariantException($"{profile.Name}: a call answers {outcome.GetType().Name} for a program the checker {(accepted ? "accepts" : "rejects")}");
    }
}
