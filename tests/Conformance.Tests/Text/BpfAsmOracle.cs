using Conformance.Model.Bpf;

namespace Conformance.Tests.Text;

/// <summary>One recorded run of the kernel's bpf_asm (Data/bpf_asm-oracle.txt, see its header).</summary>
public sealed record OracleCase(string Name, string Source, string? CommaOutput, string? CArrayOutput, string? Error)
{
    public bool Accepted => Error is null;

    /// <summary>The program bpf_asm printed, parsed here with a plain split so the test does not trust our readers.</summary>
    public Instruction[] Expected()
    {
        var fields = CommaOutput!.TrimEnd(',').Split(',');
        return fields.Skip(1).Select(r =>
        {
            var n = r.Split(' ');
            return new Instruction(ushort.Parse(n[0]), byte.Parse(n[1]), byte.Parse(n[2]), uint.Parse(n[3]));
        }).ToArray();
    }

    public override string ToString() => Name;
}

public static class BpfAsmOracle
{
    public static readonly string DataFile =
        Path.Combine(TestContext.CurrentContext.TestDirectory, "Text", "Data", "bpf_asm-oracle.txt");

    static readonly Lazy<IReadOnlyList<OracleCase>> All = new(Load);

    public static IReadOnlyList<OracleCase> Cases => All.Value;

    static IReadOnlyList<OracleCase> Load()
    {
        var cases = new List<OracleCase>();
        string? name = null;
        List<string> source = [], comma = [], carray = [];
        List<string>? section = null;

        void Flush()
        {
            if (name is null)
                return;
            var output = string.Join("\n", comma);
            bool error = output.StartsWith("error:", StringComparison.Ordinal);
            cases.Add(new OracleCase(name, string.Join("\n", source) + (source.Count > 0 ? "\n" : ""),
                error ? null : output, carray.Count > 0 ? string.Join("\n", carray) + "\n" : null,
                error ? output : null));
        }

        foreach (var line in File.ReadLines(DataFile))
        {
            if (line.StartsWith("=== ", StringComparison.Ordinal))
            {
                Flush();
                name = line[4..];
                source = [];
                comma = [];
                carray = [];
                section = source;
            }
            else if (line == "--- bpf_asm")
                section = comma;
            else if (line == "--- bpf_asm -c")
                section = carray;
            else if (section is not null)
                section.Add(line);
        }
        Flush();
        return cases;
    }
}
