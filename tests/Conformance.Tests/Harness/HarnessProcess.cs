using System.Diagnostics;

namespace Conformance.Tests.Harness;

/// <summary>Runs the built `conformance` executable (copied next to the tests) as a real process.</summary>
static class HarnessProcess
{
    public static (int Exit, string Stdout, string Stderr) Run(string stdin, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "conformance.dll");
        Assert.That(File.Exists(dll), Is.True, $"{dll} should be built with the tests");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
