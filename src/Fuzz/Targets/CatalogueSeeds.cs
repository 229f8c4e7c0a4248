using System.Text;
using Conformance.Catalogue.Cases;
using Conformance.Model.Seccomp;
using Conformance.Model.Text;

namespace Conformance.Fuzz.Targets;

/// <summary>
/// Starting inputs from the catalogue: afl does best from small valid inputs, and the case files
/// hold the filters the project cares about. Each target gets them in the form it reads.
/// </summary>
public static class CatalogueSeeds
{
    /// <summary>Writes at most <paramref name="limit"/> seeds for the target into the folder; returns how many.</summary>
    public static int Write(string target, string casesDir, string outDir, int limit)
    {
        Directory.CreateDirectory(outDir);
        int written = 0;
        foreach (var (name, bytes) in Seeds(target, casesDir))
        {
            if (written == limit)
                break;
            File.WriteAllBytes(Path.Combine(outDir, $"catalogue-{written:d3}-{Sanitize(name)}"), bytes);
            written++;
        }
        return written;
    }

    static IEnumerable<(string Name, byte[] Bytes)> Seeds(string target, string casesDir)
    {
        if (target == "cases")
        {
            // Small case files only: afl's mutations pay per byte.
            foreach (var file in Directory.EnumerateFiles(casesDir, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                if (new FileInfo(file).Length <= 4096)
                    yield return (Path.GetFileNameWithoutExtension(file), File.ReadAllBytes(file));
            yield break;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var options = new AssembleOptions { Abi = Abi.X86_64 };
        foreach (var c in CaseLoader.LoadAll(casesDir, out _))
            foreach (var (name, filter) in c.Filters)
            {
                if (!seen.Add(filter.Text))
                    continue;
                Model.Bpf.Instruction[] program;
                try
                {
                    program = Assembler.Assemble(filter.Text, options);
                }
                catch (FilterSyntaxException)
                {
                    continue;
                }
                yield return (name, target switch
                {
                    "assembler" => Encoding.UTF8.GetBytes(Disassembler.Disassemble(program, Abi.X86_64)),
                    "formats" => Encoding.UTF8.GetBytes(FilterWriter.ToComma(program)),
                    "interpreter" => [.. new byte[SeccompData.Size], .. BinaryFilter.Write(program)],
                    _ => BinaryFilter.Write(program),
                });
            }
    }

    static string Sanitize(string name) => new([.. name.Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '_')]);
}
