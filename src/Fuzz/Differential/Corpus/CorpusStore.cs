using System.Security.Cryptography;
using System.Text;

namespace Conformance.Fuzzing.Corpus;

/// <summary>
/// A folder of corpus entries named by the SHA-256 of their content. Concurrent shards share one
/// folder without locks: the same content always has the same name, each file is written under a
/// temporary name and renamed into place, and readers ignore what is not a complete entry.
/// The store holds at most <see cref="Capacity"/> entries; past that new ones are not kept, so a
/// long run never fills the disk.
/// </summary>
public sealed class CorpusStore
{
    readonly string _dir;
    readonly string _extension;
    readonly HashSet<string> _names;

    public CorpusStore(string dir, string extension, int capacity = 4096)
    {
        _dir = dir;
        _extension = extension;
        Capacity = capacity;
        Directory.CreateDirectory(dir);
        _names = [.. Directory.EnumerateFiles(dir, "*" + extension).Select(Path.GetFileName).OfType<string>()];
    }

    public int Capacity { get; }

    public int Count => _names.Count;

    /// <summary>Every complete entry, in name order (a stable order, so a seeded run reads them alike).</summary>
    public IReadOnlyList<string> ReadAll()
    {
        var all = new List<string>();
        foreach (var name in Directory.EnumerateFiles(_dir, "*" + _extension).Order(StringComparer.Ordinal))
        {
            try
            {
                all.Add(File.ReadAllText(name));
            }
            catch (IOException)
            {
                // Renamed away or being replaced by another shard: it is read next time.
            }
        }
        return all;
    }

    /// <summary>Adds an entry; false when it is there already or the store is full.</summary>
    public bool Add(string content)
    {
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..24] + _extension;
        if (_names.Contains(name) || _names.Count >= Capacity)
            return false;
        var path = Path.Combine(_dir, name);
        var tmp = Path.Combine(_dir, $".{name}.{Environment.ProcessId}.tmp");
        File.WriteAllText(tmp, content);
        File.Move(tmp, path, overwrite: true);
        _names.Add(name);
        return true;
    }
}
