using Conformance.Machines.Kernels;
using Conformance.Machines.Tools;

namespace Conformance.Harness.Verbs;

/// <summary>
/// Known failures (bad input, a kernel that is not what it claims, a failing tool) end a verb with
/// one clear message and exit code 1, not a stack trace.
/// </summary>
public static class VerbErrors
{
    public static async Task<int> Run(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    public static Task<int> Run(Func<Task> body) => Run(async () =>
    {
        await body();
        return 0;
    });

    public static int RunSync(Action body) => Run(() =>
    {
        body();
        return Task.CompletedTask;
    }).GetAwaiter().GetResult();

    static bool IsUserFacing(Exception e) => e is KernelImageException or KernelConfigException or KernelBuildException
        or ExternalCommandException or ArgumentException or FileNotFoundException or DirectoryNotFoundException;
}
