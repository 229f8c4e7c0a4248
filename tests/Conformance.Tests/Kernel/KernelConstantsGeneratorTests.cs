using System.Diagnostics;
using Conformance.Machines.Host;

namespace Conformance.Tests.Kernel;

/// <summary>
/// The checked-in generated files are what tools/gen-kernel-constants.py makes of the reference
/// kernel's headers. Slow (it unpacks the UAPI folders of a 150 MB tarball), so in its own category.
/// </summary>
[Category("Generator")]
public class KernelConstantsGeneratorTests
{
    const string Reference = "/usr/src/linux-source-6.12.tar.xz";

    [Test]
    public void Generated_files_are_up_to_date()
    {
        if (!File.Exists(Reference))
            Assert.Ignore($"{Reference} is not installed (.ci/bootstrap installs linux-source-6.12)");
        var root = Path.GetFullPath(Path.Combine(AgentBinaries.NativeDirectory(), "..", ".."));
        var psi = new ProcessStartInfo("python3", [Path.Combine(root, "tools", "gen-kernel-constants.py"), Reference, "--check"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root,
        };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.EqualTo(0), $"{stdout}\n{stderr.Result}");
    }
}
