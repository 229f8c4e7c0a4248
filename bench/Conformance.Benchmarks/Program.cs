using BenchmarkDotNet.Running;

namespace Conformance.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        // `boot`, `catalogue` and `fuzz` are custom runners (QEMU boots are not methods to time); everything else is BenchmarkDotNet.
        if (args.Length > 0 && args[0] == "boot")
            return Boot.BootBenchmark.RunAsync(args[1..]).GetAwaiter().GetResult();
        if (args.Length > 0 && args[0] == "catalogue")
            return Selftest.CatalogueVersusSelftest.RunAsync(args[1..]).GetAwaiter().GetResult();
        if (args.Length > 0 && args[0] == "fuzz")
            return Fuzz.FuzzThroughput.RunAsync(args[1..]).GetAwaiter().GetResult();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
