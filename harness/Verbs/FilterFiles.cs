using Conformance.Model.Bpf;

namespace Conformance.Harness.Verbs;

/// <summary>Reads a filter file for the verbs; the format readers themselves are pure and live in the model.</summary>
public static class FilterFiles
{
    public static bool TryRead(FileInfo file, string arch, out Instruction[] program, out string error)
    {
        program = [];
        if (!file.Exists)
        {
            error = $"{file.FullName}: no such file";
            return false;
        }
        // Replaced by the format-detecting readers once they land.
        var bytes = File.ReadAllBytes(file.FullName);
        if (bytes.Length % 8 != 0)
        {
            error = $"{file.FullName}: not a raw struct sock_filter array";
            return false;
        }
        program = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Instruction>(bytes).ToArray();
        error = "";
        return true;
    }
}
