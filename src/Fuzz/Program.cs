using Conformance.Fuzz.Targets;
using SharpFuzz;

// Usage: Conformance.Fuzz TARGET                        under afl-fuzz (run-afl.sh), input on stdin
//        Conformance.Fuzz TARGET --replay FILE...      runs inputs without afl; names each that crashes
//        Conformance.Fuzz TARGET --seeds CASES DIR N   writes up to N seeds from the catalogue
if (args.Length == 0 || FuzzTargets.ByName(args[0]) is not { } target)
{
    Console.Error.WriteLine($"usage: Conformance.Fuzz TARGET [FILE...]; targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");
    return 2;
}

if (args is [_, "--seeds", var cases, var dir, var limit])
{
    Console.WriteLine(CatalogueSeeds.Write(target.Name, cases, dir, int.Parse(limit, System.Globalization.CultureInfo.InvariantCulture)));
    return 0;
}

if (args is [_, "--replay", .. var files])
{
    int crashed = 0;
    foreach (var file in files)
    {
        try
        {
            target.Run(File.ReadAllBytes(file));
        }
        catch (Exception e)
        {
            // Replay is for triage: report every crashing input, not only the first.
            crashed++;
            Console.WriteLine($"CRASH {file}: {e}");
        }
    }
    return crashed == 0 ? 0 : 1;
}

// Out of process: a StackOverflowException or other process-killing failure in the model is
// still reported as a crash of that input, not as a dead fuzzer.
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
});
return 0;
