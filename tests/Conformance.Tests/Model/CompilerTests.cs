using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;

namespace Conformance.Tests.Model;

/// <summary>The IL fast path must answer exactly as the interpreter does.</summary>
public class CompilerTests
{
    [Test]
    public void Compiled_filters_agree_with_the_interpreter_on_random_programs_and_inputs()
    {
        var rng = new Random(20261122);
        foreach (var profile in new[] { KernelProfiles.Default, KernelProfiles.Linux3_10 })
            for (int n = 0; n < 400; n++)
            {
                var program = RandomPrograms.Accepted(rng, rng.Next(2, n % 50 == 0 ? 4096 : 120));
                var filter = SeccompInterpreter.Load(program, profile);
                for (int d = 0; d < 25; d++)
                {
                    var data = RandomPrograms.Data(rng);
                    uint expected = filter.Interpret(data);
                    Assert.That(filter.RunCompiled(data), Is.EqualTo(expected),
                        $"{profile.Name}: program {string.Join(",", program.Select(i => i.ToString()))} on nr {data.Nr}");
                }
            }
    }

    [Test]
    public void A_hot_filter_switches_to_the_compiled_form_without_changing_answers()
    {
        var rng = new Random(5);
        var program = RandomPrograms.Accepted(rng, 60);
        var filter = SeccompInterpreter.Load(program, KernelProfiles.Default);
        var inputs = Enumerable.Range(0, SeccompInterpreter.CompileThreshold * 2).Select(_ => RandomPrograms.Data(rng)).ToArray();
        foreach (var data in inputs)
            Assert.That(filter.Run(data), Is.EqualTo(filter.Interpret(data)));
    }
}
