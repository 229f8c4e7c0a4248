using Conformance.Model.Bpf;
using Conformance.Model.Seccomp;
using Conformance.Model.Text;

namespace Conformance.Harness.Verbs;

/// <summary>
/// Reads a filter file in any format the model detects, for the verbs that take one. Errors come out as
/// <c>FILE:LINE:COL: message</c> (or <c>FILE: message</c> when there is no position), the form editors jump to.
/// </summary>
public static class FilterSource
{
    /// <summary>"-" reads standard input.</summary>
    public static bool TryRead(string path, Abi? abi, TextWriter error, out Instruction[] program)
    {
        program = [];
        byte[] content;
        try
        {
            content = path == "-" ? ReadStdin() : File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"{path}: {e.Message}");
            return false;
        }
        try
        {
            program = FilterFormats.Read(content, new AssembleOptions { Abi = abi });
            return true;
        }
        catch (FilterSyntaxException e)
        {
            error.WriteLine(e.HasPosition ? $"{path}:{e.Line}:{e.Column}: {e.Reason}" : $"{path}: {e.Reason}");
            return false;
        }
    }

    /// <summary>Parses an --arch value; null input means no ABI. Writes the error and returns false if unknown.</summary>
    public static bool TryParseAbi(string? name, TextWriter error, out Abi? abi)
    {
        abi = null;
        if (name is null)
            return true;
        if (AuditArch.TryParseAbi(name, out var parsed))
        {
            abi = parsed;
            return true;
        }
        error.WriteLine($"unknown ABI '{name}' (x86_64, i386, x32, aarch64, arm)");
        return false;
    }

    static byte[] ReadStdin()
    {
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        return buffer.ToArray();
    }
}
