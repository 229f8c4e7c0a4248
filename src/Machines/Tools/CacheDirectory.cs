namespace Conformance.Machines.Tools;

/// <summary>
/// The harness's download and build cache: $XDG_CACHE_HOME/conformance, or ~/.cache/conformance.
/// Everything in it can be rebuilt; nothing in it is committed.
/// </summary>
public static class CacheDirectory
{
    public static string Default
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "conformance");
        }
    }
}

/// <summary>
/// An exclusive lock on a file in the cache, so two harness processes (a test run and a verb, or CI
/// jobs) never fetch or build the same thing into the same directory at once.
/// </summary>
public sealed class CacheLock : IDisposable
{
    readonly FileStream _stream;

    CacheLock(FileStream stream) => _stream = stream;

    public static async Task<CacheLock> AcquireAsync(string lockPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        while (true)
        {
            try
            {
                // FileShare.None takes an flock on Linux, which other processes respect.
                return new CacheLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
